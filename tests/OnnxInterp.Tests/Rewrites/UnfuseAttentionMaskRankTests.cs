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
/// same mask in 2-D form, which the 4-D one only broadcasts.
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
    public void Static_rank_follows_unsqueeze_expand_and_elementwise_producers()
    {
        var graph = MaskedAttention().Graph;
        Assert.Equal(2, StaticRank.Of(graph, "attention_mask"));
        Assert.Equal(4, StaticRank.Of(graph, "mask_unsqueezed"));
        Assert.Equal(4, StaticRank.Of(graph, "mask4"));
        Assert.Null(StaticRank.Of(graph, "no_such_tensor"));
    }

    /// <summary>attention_mask int32 [B, S] -> Unsqueeze(1, 2) -> Expand([1, 1, S, S]) -> "mask4" -> Attention (no past, not causal).</summary>
    static OnnxModel MaskedAttention(bool twoD = false)
    {
        var attention = Node("Attention", ["x", "w", "bias", twoD ? "attention_mask" : "mask4"], ["y"], "com.microsoft", ("num_heads", NHeads));
        var model = Build(attention,
            [Input("x", "batch", "seq", Hidden), TinyGraphs.ValueInfo("attention_mask", TensorProto.Types.DataType.Int32, "batch", "seq")],
            [Output("y")],
            [TensorProtos.Float("w", [Hidden, 3 * Hidden], Random(Hidden * 3 * Hidden, 32)), TensorProtos.Float("bias", [3 * Hidden], Random(3 * Hidden, 33)),
             TensorProtos.Int64("axes", [2], [1, 2]), TensorProtos.Int64("square", [4], [1, 1, S, S])], opset: 13).ToProto();
        var graph = model.Graph;
        graph.Node.Insert(0, TinyGraphs.NodeOf("Unsqueeze", "unsqueeze_mask", ["attention_mask", "axes"], ["mask_unsqueezed"]));
        graph.Node.Insert(1, TinyGraphs.NodeOf("Expand", "expand_mask", ["mask_unsqueezed", "square"], ["mask4"]));
        return OnnxModel.FromProto(model);
    }
}
