using OnnxInterp.Graph;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Rewrites.UnfuseSingleOpTests;

namespace OnnxInterp.Tests.Rewrites;

/// <summary>
/// Issue #14 item 3: a fused Attention whose mask is 4-D [batch, 1, seq, seq] and declared nowhere (the exporter computes
/// it from attention_mask) is unfused with that rank; before, the mask was taken as 2-D, unsqueezed to rank 6, and the
/// scores came out rank 6. ORT's CPU kernel refuses 4-D masks ("not supported"), so the reference is its kernel fed the
/// same mask in 2-D form, which the 4-D one only broadcasts. A max-length 4-D mask [B, 1, M, M] is cut to the call's
/// rows and columns, as ORT's schema reads it.
/// </summary>
public sealed class UnfuseAttentionMaskRankTests
{
    const int B = 2, S = 3, NHeads = 2, D = 2, Hidden = NHeads * D;

    [Fact]
    public void An_undeclared_4d_mask_keeps_its_rank_and_matches_ort()
    {
        var model = MaskedAttention();
        Assert.Null(model.Graph.TypeOf("mask4")); // typed only at run time
        NamedTensor[] feeds =
        [
            NamedTensor.Float("x", [B, S, Hidden], Random(B * S * Hidden, 31)),
            new("attention_mask", ElementType.Int32, [B, S], new[] { 1, 1, 1, 0, 1, 1 }),
        ];
        var unfused = UnfuseFusedOps.Apply(model).Model;
        var softmax = Assert.Single(unfused.Graph.Nodes, n => n.OpType == "Softmax");
        using var exposed = SessionFactory.Compile(Expose.Apply(unfused, [softmax.Outputs[0]]).Model, Device.Cpu);
        var actual = exposed.Run(feeds);
        Assert.Equal([B, NHeads, S, S], actual[softmax.Outputs[0]].Shape);

        using var kernel = SessionFactory.Compile(MaskedAttention(twoD: true), Device.Cpu);
        Feeds.AssertClose(kernel.Run(feeds)["y"], actual["y"], Tolerance);
    }

    [Fact]
    public void A_max_length_4d_mask_is_cut_to_the_rows_and_columns_of_the_call_and_matches_ort()
    {
        // Megatron's form: mask [B, 1, M, M] for the longest sequence M; a call of S tokens reads rows and columns 0..S-1.
        const int M = S + 2;
        var attention = Node("Attention", ["x", "w", "bias", "mask_max"], ["y"], "com.microsoft", ("num_heads", NHeads));
        var model = Build(attention,
            [Input("x", "batch", "seq", Hidden), TinyGraphs.ValueInfo("mask_max", TensorProto.Types.DataType.Int32, "batch", 1, M, M)],
            [Output("y")],
            [TensorProtos.Float("w", [Hidden, 3 * Hidden], Random(Hidden * 3 * Hidden, 32)), TensorProtos.Float("bias", [3 * Hidden], Random(3 * Hidden, 33))], opset: 13);
        int[] keep = [1, 1, 1, 0, 1, 1];
        var max = new int[B * M * M];
        for (int b = 0; b < B; b++)
            for (int i = 0; i < M; i++)
                for (int j = 0; j < M; j++)
                    max[(b * M + i) * M + j] = i < S && j < S ? keep[b * S + j] : (i + j) % 2; // outside the call: anything
        var x = NamedTensor.Float("x", [B, S, Hidden], Random(B * S * Hidden, 31));
        using var unfused = SessionFactory.Compile(UnfuseFusedOps.Apply(model).Model, Device.Cpu);
        var actual = unfused.Run([x, new NamedTensor("mask_max", ElementType.Int32, [B, 1, M, M], max)])["y"];

        using var kernel = SessionFactory.Compile(MaskedAttention(twoD: true), Device.Cpu);
        var expected = kernel.Run([x, new NamedTensor("attention_mask", ElementType.Int32, [B, S], keep)])["y"];
        Feeds.AssertClose(expected, actual, Tolerance);
    }

    [Fact]
    public void Inspect_measures_a_model_whose_fused_op_the_cpu_cannot_run_on_its_unfused_form()
    {
        using var dir = new TempDir();
        var path = dir.File("masked.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(MaskedAttention().ToProto()));
        var result = Cli.CliHarness.Run("inspect", path, "--json", "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Error.Contains("measured on its unfused form"), result.Error);
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("typesMeasured").GetBoolean());
        var y = json.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "y");
        Assert.Equal(Hidden, y.GetProperty("measured").GetProperty("shape")[2].GetInt32());
    }

    [Fact]
    public void Static_rank_follows_unsqueeze_and_elementwise_producers()
    {
        var graph = MaskedAttention().Graph;
        Assert.Equal(2, StaticRank.Of(graph, "attention_mask"));
        Assert.Equal(4, StaticRank.Of(graph, "mask_unsqueezed"));
        Assert.Equal(4, StaticRank.Of(graph, "mask4"));
        Assert.Null(StaticRank.Of(graph, "no_such_tensor"));
    }

    /// <summary>attention_mask int32 [B, S] -> Unsqueeze(1, 2) + zeros [B, 1, S, 1] -> "mask4" [B, 1, S, S] -> Attention (no past, not causal).</summary>
    internal static OnnxModel MaskedAttention(bool twoD = false)
    {
        var attention = Node("Attention", ["x", "w", "bias", twoD ? "attention_mask" : "mask4"], ["y"], "com.microsoft", ("num_heads", NHeads));
        var model = Build(attention,
            [Input("x", "batch", "seq", Hidden), TinyGraphs.ValueInfo("attention_mask", TensorProto.Types.DataType.Int32, "batch", "seq")],
            [Output("y")],
            [TensorProtos.Float("w", [Hidden, 3 * Hidden], Random(Hidden * 3 * Hidden, 32)), TensorProtos.Float("bias", [3 * Hidden], Random(3 * Hidden, 33)),
             TensorProtos.Int64("axes", [2], [1, 2]), TensorProtos.Int64("axes_col", [2], [1, 3]),
             TensorProtos.Raw("zero", TensorProto.Types.DataType.Int32, [], new byte[4])], opset: 13).ToProto();
        var graph = model.Graph;
        // mask4[b, 0, i, j] = attention_mask[b, j] for every query i, shaped by the run-time sizes only.
        graph.Node.Insert(0, TinyGraphs.NodeOf("Unsqueeze", "unsqueeze_mask", ["attention_mask", "axes"], ["mask_unsqueezed"]));
        graph.Node.Insert(1, TinyGraphs.NodeOf("Unsqueeze", "unsqueeze_col", ["attention_mask", "axes_col"], ["mask_col"]));
        graph.Node.Insert(2, TinyGraphs.NodeOf("Mul", "zeros_col", ["mask_col", "zero"], ["zeros"]));
        graph.Node.Insert(3, TinyGraphs.NodeOf("Add", "broadcast_mask", ["mask_unsqueezed", "zeros"], ["mask4"]));
        return OnnxModel.FromProto(model);
    }
}
