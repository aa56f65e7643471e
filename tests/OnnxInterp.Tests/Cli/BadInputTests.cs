using OnnxInterp.Cli;
using OnnxInterp.Tests.Hooks;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Issue #2 item 7: every bad input gives one line on stderr naming the problem and the fix, exit 2 for usage
/// errors and 1 for failures, no stack trace, and the input model's bytes unchanged.
/// </summary>
public class BadInputTests
{
    /// <summary>The four verbs, each asked to read MODEL and (where it writes) to write into OUT.</summary>
    public static TheoryData<string[]> Verbs => new()
    {
        new[] { "inspect", "MODEL" },
        new[] { "run", "MODEL", "--tokens", "1,2" },
        new[] { "cache", "MODEL", "--tokens", "1,2", "--expose", "*", "-o", "OUT/acts.safetensors" },
        new[] { "rewrite", "MODEL", "--expose", "*", "-o", "OUT/hooked.onnx" },
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public void A_missing_model_file_is_a_failure_naming_the_path(string[] verb)
    {
        using var scratch = new CliScratch();
        var missing = scratch["no-such-model.onnx"];
        CliHarness.Fails(ExitCodes.Failure, ["not found", missing], Args(verb, missing, scratch.Folder));
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void A_text_file_is_not_an_onnx_model(string[] verb)
    {
        using var scratch = new CliScratch();
        var text = scratch.Write("notes.onnx", "These are my notes, not a model.\n");
        Untouched(text, () => CliHarness.Fails(ExitCodes.Failure, ["not an ONNX model", "notes.onnx"], Args(verb, text, scratch.Folder)));
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void A_truncated_model_is_reported_as_unreadable(string[] verb)
    {
        using var scratch = new CliScratch();
        var whole = File.ReadAllBytes(CliTestModels.TokenModel(scratch["whole.onnx"], vocab: 300, dModel: 4));
        var half = scratch["half.onnx"];
        File.WriteAllBytes(half, whole[..(whole.Length / 2)]);
        Untouched(half, () => CliHarness.Fails(ExitCodes.Failure, ["not a readable ONNX model", "truncated"], Args(verb, half, scratch.Folder)));
    }

    [ExternalModelTheory]
    [ClassData(typeof(ExternalModels))]
    public void The_first_half_of_each_real_export_is_reported_as_unreadable(string file)
    {
        using var scratch = new CliScratch();
        var whole = File.ReadAllBytes(TestPaths.External(file));
        var half = scratch[file];
        File.WriteAllBytes(half, whole[..(whole.Length / 2)]);
        CliHarness.Fails(ExitCodes.Failure, ["not a readable ONNX model", file], "inspect", half);
    }

    [Fact]
    public void A_model_ort_refuses_is_a_failure_not_a_crash()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.UnloadableModel(scratch["unloadable.onnx"]);
        Untouched(model, () => CliHarness.Fails(ExitCodes.Failure, ["ONNX Runtime", "NoSuchOperator"], "run", model, "--input", "x=" + scratch.Write("x.json", """{"shape":[1,3],"data":[1,2,3]}"""), "--device", "cpu"));
    }

    [ToyModelTheory]
    [InlineData("run", "tiny-gpt2.onnx", 65, 64)]
    [InlineData("cache", "modadd-p113.onnx", 4, 3)]
    public void More_tokens_than_the_context_window_is_a_usage_error_naming_both_sizes(string verb, string file, int tokens, int window)
    {
        using var scratch = new CliScratch();
        var ids = string.Join(",", Enumerable.Range(0, tokens).Select(i => i % 100));
        string[] args = verb == "cache"
            ? ["cache", HookTestSupport.Toy(file)!, "--tokens", ids, "--expose", "blocks.0.hook_resid_pre", "-o", scratch["out.safetensors"], "--device", "cpu"]
            : ["run", HookTestSupport.Toy(file)!, "--tokens", ids, "--device", "cpu"];
        CliHarness.Fails(ExitCodes.Usage, [$"{tokens} tokens", $"context window is {window} positions"], args);
    }

    [Theory]
    [InlineData("cache", "nothing_like_this*")]
    [InlineData("cache", "no_such_tensor")]
    [InlineData("rewrite", "nothing_like_this*")]
    [InlineData("rewrite", "res?d_typo")]
    public void An_unknown_tensor_or_pattern_is_a_usage_error_pointing_at_inspect(string verb, string pattern)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        string[] args = verb == "cache"
            ? ["cache", model, "--tokens", "1", "--expose", pattern, "-o", scratch["out.safetensors"], "--device", "cpu"]
            : ["rewrite", model, "--patch", pattern + ":zero", "-o", scratch["out.onnx"], "--device", "cpu"];
        Untouched(model, () => CliHarness.Fails(ExitCodes.Usage, [$"'{pattern}'", "onnxinterp inspect"], args));
        Assert.False(File.Exists(scratch["out.safetensors"]) || File.Exists(scratch["out.onnx"]));
    }

    [Fact]
    public void A_misspelt_patch_source_is_named()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        CliHarness.Fails(ExitCodes.Usage, ["'zeros' is not a patch source", "zero, fed or rows"], "rewrite", model, "--patch", "resid:zeros", "-o", scratch["out.onnx"]);
    }

    [Fact]
    public void A_graph_input_cannot_be_cached()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        CliHarness.Fails(ExitCodes.Usage, ["'input_ids'", "graph input"], "cache", model, "--tokens", "1", "--expose", "input_ids", "-o", scratch["a.safetensors"], "--device", "cpu");
    }

    [Fact]
    public void A_feed_of_the_wrong_dtype_is_a_usage_error_naming_both_types()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.FixedShapeModel(scratch["fixed.onnx"]);
        var feed = scratch.Write("x.json", """{"shape":[1,3],"dtype":"int64","data":[1,2,3]}""");
        Untouched(model, () => CliHarness.Fails(ExitCodes.Usage, ["'x'", "must be float", "int64"], "run", model, "--input", $"x={feed}", "--device", "cpu"));
    }

    [Fact]
    public void A_feed_of_the_wrong_shape_is_a_usage_error_naming_both_sizes()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.FixedShapeModel(scratch["fixed.onnx"]);
        var feed = scratch.Write("x.json", """{"shape":[1,4],"dtype":"float32","data":[1,2,3,4]}""");
        Untouched(model, () => CliHarness.Fails(ExitCodes.Usage, ["'x'", "axis 1 must be 3", "[1, 4]"], "run", model, "--input", $"x={feed}", "--device", "cpu"));
        var rank = scratch.Write("r.json", """{"shape":[3],"dtype":"float32","data":[1,2,3]}""");
        CliHarness.Fails(ExitCodes.Usage, ["rank 2", "rank 1"], "run", model, "--input", $"x={rank}", "--device", "cpu");
    }

    [Theory]
    [InlineData("""{"shape":[1,3],"dtype":"float32","data":[1,2]}""", "needs 3 values")]
    [InlineData("""{"shape":[1,3],"dtype":"complex","data":[1,2,3]}""", "dtype 'complex'")]
    [InlineData("""{"shape":[1,3""", "not valid JSON")]
    public void A_malformed_feed_file_is_a_usage_error(string content, string keyWord)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.FixedShapeModel(scratch["fixed.onnx"]);
        var feed = scratch.Write("x.json", content);
        CliHarness.Fails(ExitCodes.Usage, [keyWord], "run", model, "--input", $"x={feed}", "--device", "cpu");
    }

    [Fact]
    public void Prompt_tokens_beyond_a_small_vocabulary_ask_for_token_ids()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        CliHarness.Fails(ExitCodes.Usage, ["15496", "vocabulary of 300", "--tokens"], "run", model, "--prompt", "Hello world", "--no-bos", "--device", "cpu");
        CliHarness.Fails(ExitCodes.Usage, ["50256", "vocabulary of 300", "--tokens"], "run", model, "--prompt", "Hello world", "--device", "cpu"); // BOS is GPT-2's
        CliHarness.Fails(ExitCodes.Usage, ["token id 300", "0..299"], "run", model, "--tokens", "1,300", "--device", "cpu");
    }

    [Theory]
    [InlineData(new[] { "run", "MODEL" }, "nothing to feed")]
    [InlineData(new[] { "run", "MODEL", "--tokens", "1,x" }, "'x' is not a token id")]
    [InlineData(new[] { "run", "MODEL", "--tokens", "1", "--prompt", "hi" }, "not both")]
    [InlineData(new[] { "run", "MODEL", "--input", "x" }, "NAME=FILE")]
    [InlineData(new[] { "run", "MODEL", "--tokens", "1", "--device", "gpu" }, "auto, cpu or cuda")]
    [InlineData(new[] { "run", "MODEL", "--tokens", "1", "--top-k", "0" }, "--top-k")]
    [InlineData(new[] { "cache", "MODEL", "--tokens", "1", "-o", "x.safetensors" }, "--expose")]
    [InlineData(new[] { "rewrite", "MODEL", "--expose", "resid" }, "--output")]
    [InlineData(new[] { "rewrite", "MODEL", "--bogus" }, "--bogus")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    [InlineData(new string[0], "command")]
    public void Bad_options_are_usage_errors(string[] args, string keyWord)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        Untouched(model, () => CliHarness.Fails(ExitCodes.Usage, [keyWord], [.. args.Select(a => a == "MODEL" ? model : a)]));
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void An_output_folder_that_does_not_exist_fails_before_any_work(string[] verb)
    {
        if (!verb.Contains("-o")) return; // inspect writes nothing
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var absent = Path.Combine(scratch.Folder, "absent");
        Untouched(model, () => CliHarness.Fails(ExitCodes.Failure, ["does not exist", absent], Args(verb, model, absent)));
    }

    [Fact]
    public void A_write_protected_output_path_is_reported_as_permission_denied()
    {
        // /sys refuses new files even to root, so this holds wherever the tests run on Linux.
        if (!OperatingSystem.IsLinux()) return;
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        Untouched(model, () => CliHarness.Fails(ExitCodes.Failure, ["permission denied", "/sys/acts.safetensors"],
            "cache", model, "--tokens", "1", "--expose", "resid", "-o", "/sys/acts.safetensors", "--device", "cpu"));
    }

    [NonRootFact]
    public void A_read_only_folder_is_reported_as_permission_denied()
    {
        if (OperatingSystem.IsWindows()) return;
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var locked = Directory.CreateDirectory(scratch["locked"]).FullName;
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            CliHarness.Fails(ExitCodes.Failure, ["permission denied"], "rewrite", model, "--expose", "resid", "-o", Path.Combine(locked, "out.onnx"), "--device", "cpu");
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Theory]
    [InlineData("rewrite", "--expose", "resid")]
    [InlineData("cache", "--tokens", "1", "--expose", "resid")]
    [InlineData("run", "--tokens", "1")]
    public void The_input_model_is_never_an_output(string verb, params string[] options)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, model);
        Untouched(model, () => CliHarness.Fails(ExitCodes.Usage, ["is the input model", "never overwrites"], [verb, model, .. options, "-o", relative, "--device", "cpu"]));
    }

    [Fact]
    public void A_symbolic_link_to_the_input_model_is_not_an_output_either()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs privileges there
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var link = File.CreateSymbolicLink(scratch["link.onnx"], model).FullName;
        Untouched(model, () => CliHarness.Fails(ExitCodes.Usage, ["is the input model"], "rewrite", model, "--expose", "resid", "-o", link, "--device", "cpu"));
        Untouched(model, () => CliHarness.Fails(ExitCodes.Usage, ["is the input model"], "rewrite", link, "--expose", "resid", "-o", model, "--device", "cpu"));
    }

    static string[] Args(string[] verb, string model, string outputFolder) =>
        [.. verb.Select(a => a == "MODEL" ? model : a.StartsWith("OUT/") ? Path.Combine(outputFolder, a[4..]) : a), "--device", "cpu"];

    /// <summary>Runs <paramref name="action"/> and checks the model file's bytes did not change.</summary>
    static void Untouched(string model, Action action)
    {
        var before = CliHarness.Hash(model);
        var written = File.GetLastWriteTimeUtc(model);
        action();
        Assert.Equal(before, CliHarness.Hash(model));
        Assert.Equal(written, File.GetLastWriteTimeUtc(model));
    }
}
