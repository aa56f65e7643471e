using OnnxInterp.Cli;
using OnnxInterp.Runtime;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Issue #14 item 6: the inputs that used to get a catch-all "unexpected ..." message or ONNX Runtime's C++ text now get
/// one line in the user's words; the scratch folder's files keep their bytes.
/// </summary>
public class ErrorWordingTests
{
    [Fact]
    public void Ort_source_paths_signatures_and_tags_are_removed()
    {
        // ONNX Runtime 1.31's text for a short side file, as it reached users before.
        const string ort = "[ErrorCode:Fail] Exception during initialization: /onnxruntime_src/onnxruntime/core/optimizer/initializer.cc:51 " +
            "onnxruntime::Initializer::Initializer(const onnx::TensorProto&, const std::filesystem::__cxx11::path&) [ONNXRuntimeError] : 1 : FAIL : " +
            "tensorprotoutils.cc:1876 GetExtDataFromTensorProto External initializer: w offset: 0 size to read: 12 given file_length: 4 are out of bounds or can not be read in full.";
        Assert.Equal("Exception during initialization: External initializer: w offset: 0 size to read: 12 given file_length: 4 are out of bounds or can not be read in full.",
            OrtMessages.Reword(ort));
        const string run = "[ErrorCode:RuntimeException] Non-zero status code returned while running Reshape node. Name:'to_square' Status Message: " +
            "/onnxruntime_src/onnxruntime/core/providers/cpu/tensor/reshape_helper.h:47 onnxruntime::ReshapeHelper::ReshapeHelper(const onnxruntime::TensorShape&, onnxruntime::TensorShapeVector&, bool) " +
            "input_shape_size == size was false. The input tensor cannot be reshaped to the requested shape. Input shape:{3}, requested shape:{2,2}\n";
        Assert.Equal("node 'to_square' (Reshape) failed: input_shape_size == size was false. The input tensor cannot be reshaped to the requested shape. Input shape:{3}, requested shape:{2,2}",
            OrtMessages.Reword(run));
    }

    [Fact]
    public void A_cpp_signature_without_a_source_reference_is_removed_too()
    {
        // ORT 1.31's text for a graph output no node produces (found by the fuzz harness).
        const string ort = "[ErrorCode:InvalidGraph] void onnxruntime::Graph::InitializeStateFromModelFileGraphProto() This is an invalid model. Graph output (logits) does not exist in the graph.";
        Assert.Equal("This is an invalid model. Graph output (logits) does not exist in the graph.", OrtMessages.Reword(ort));
        const string opset = "[ErrorCode:Fail] void onnxruntime::model_load_utils::ValidateOpsetForDomain(const std::unordered_map<std::__cxx11::basic_string<char>, int>&, const onnxruntime::logging::Logger&, bool, const std::string&, int) ONNX Runtime only *guarantees* support for models stamped with official released onnx opset versions.";
        Assert.Equal("ONNX Runtime only *guarantees* support for models stamped with official released onnx opset versions.", OrtMessages.Reword(opset));
    }

    [Fact]
    public void A_run_time_failure_names_the_node_without_cpp_text()
    {
        using var scratch = new CliScratch();
        var model = CraftedModels.ReshapeToSquare(scratch["square.onnx"]);
        var feed = scratch.Write("x.json", """{"shape":[3],"data":[1,2,3]}""");
        var result = UserFileSafetyTests_Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Failure, ["node 'to_square' (Reshape)", "cannot be reshaped"], "run", model, "--input", $"x={feed}", "--device", "cpu"));
        Assert.DoesNotContain(".h:", result.Error);
        Assert.DoesNotContain("onnxruntime::", result.Error);
        Assert.DoesNotContain("[ErrorCode", result.Error);
    }

    [Theory]
    [InlineData("no-outputs", "output size 0")]
    [InlineData("truncated-constant", "node 'add' (Add) [ShapeInferenceError]")]
    [InlineData("unknown-op", "NoSuchOperator")]
    public void A_model_ort_refuses_is_a_failure_in_plain_words(string kind, string keyWord)
    {
        using var scratch = new CliScratch();
        var model = kind switch
        {
            "no-outputs" => CraftedModels.NodeWithoutOutputs(scratch["m.onnx"]),
            "truncated-constant" => CraftedModels.TruncatedConstant(scratch["m.onnx"]),
            _ => CraftedModels.UnknownOpAfterRelu(scratch["m.onnx"]),
        };
        foreach (var args in new[] { new[] { "inspect", model }, ["run", model, "--input", "x=" + scratch.Write("x.json", """{"shape":[1,3],"data":[1,2,3]}"""), "--device", "cpu"] })
        {
            var result = UserFileSafetyTests_Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Failure, [keyWord], args));
            Assert.DoesNotContain("unexpected", result.Error);
            Assert.DoesNotContain(".cc:", result.Error);
        }
    }

    [Fact]
    public void A_node_without_outputs_is_a_clean_failure_when_patterns_are_resolved_too()
    {
        // Found by the fuzz harness: `--expose '*'` recognises the model first, and the diagnosis read every node's first output.
        using var scratch = new CliScratch();
        var model = CraftedModels.NodeWithoutOutputs(scratch["m.onnx"]);
        var result = UserFileSafetyTests_Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Failure, ["output size 0"], "rewrite", model, "--expose", "*", "-o", scratch["r.onnx"], "--device", "cpu"));
        Assert.DoesNotContain("unexpected", result.Error);
    }

    [Fact]
    public void A_negative_declared_dimension_is_shown_as_declared_with_the_reason_it_was_not_measured()
    {
        using var scratch = new CliScratch();
        var model = CraftedModels.NegativeDimension(scratch["neg.onnx"]);
        var result = CliHarness.Run("inspect", model, "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("float[-3, 3]", result.Out);
        Assert.Contains("declares a dimension of -3", result.Error);
    }

    [Fact]
    public void A_default_opset_listed_twice_is_read_as_onnx_runtime_reads_it_the_last_one()
    {
        using var scratch = new CliScratch();
        var model = CraftedModels.DefaultOpsetTwice(scratch["twice.onnx"]);
        var result = CliHarness.Run("inspect", model, "--no-probe");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("opsets ai.onnx 13", result.Out);
    }

    [Theory]
    [InlineData("[1, 2]", "holds a JSON array")]
    [InlineData("\"hooks\"", "holds a JSON string")]
    [InlineData("""{"hooks": [1]}""", "wrong JSON type")]
    [InlineData("""{"config": {"n_layers": "two"}}""", "config values must be numbers")]
    public void A_hook_map_of_the_wrong_shape_is_a_usage_error_naming_the_file(string content, string keyWord)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var map = scratch.Write("map.json", content);
        var result = UserFileSafetyTests_Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Usage, [keyWord, "map.json"], "inspect", model, "--hook-map", map, "--no-probe"));
        Assert.DoesNotContain("unexpected", result.Error);
    }

    [Theory]
    [InlineData("""{"shape":[1,2],"dtype":"int64","data":[-5,2]}""", "value -5 at flat index 0")]
    [InlineData("""{"shape":[1,2],"dtype":"int64","data":[1,300]}""", "value 300 at flat index 1")]
    public void Token_ids_fed_with_input_are_checked_against_the_vocabulary(string content, string keyWord)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4, withMaskAndPositions: false);
        var ids = scratch.Write("ids.json", content);
        UserFileSafetyTests_Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Usage, [keyWord, "0..299"], "run", model, "--input", $"input_ids={ids}", "--device", "cpu"));
    }

    [Theory]
    [InlineData("1,,2", "item 2 of '1,,2' is empty")]
    [InlineData("1,2,", "item 3 of '1,2,' is empty")]
    [InlineData("+1", "'+1' is not a token id")]
    [InlineData("-1", "'-1' is not a token id")]
    [InlineData("0x10", "'0x10' is not a token id")]
    [InlineData("1 2", "'1 2' is not a token id")]
    [InlineData("99999999999", "'99999999999' is not a token id")]
    public void Tokens_are_parsed_strictly_by_every_verb(string tokens, string keyWord)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        CliHarness.Fails(ExitCodes.Usage, [keyWord], "run", model, "--tokens", tokens, "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, [keyWord], "cache", model, "--tokens", tokens, "--expose", "resid", "-o", scratch["a.safetensors"], "--device", "cpu");
    }

    static CliResult UserFileSafetyTests_Unchanged(CliScratch scratch, Func<CliResult> action)
    {
        CliResult? result = null;
        UserFileSafetyTests.Unchanged(scratch, () => result = action());
        return result!;
    }
}
