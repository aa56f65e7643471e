using Google.Protobuf;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Engine;

/// <summary>
/// A token model small enough to compute by hand, with a hook map file:
/// ids -> Gather(E) "embed" -> Transpose "seq_major" [pos, batch, d] -> Transpose back "resid" -> MatMul A "left" and
/// MatMul B "right" (two consumers of resid) -> Add "sum" -> MatMul U "logits" [batch, pos, vocab].
/// Hooks: hook_embed, blocks.0.hook_resid_pre = seq_major with batch on axis 1, blocks.0.hook_resid_mid = resid,
/// blocks.0.hook_attn_out = left, blocks.0.hook_mlp_out = right, logits.
/// </summary>
static class EngineGraph
{
    public const int Vocab = 5, D = 3;
    public static readonly float[] E = [1, 0, 2, -1, 3, 0.5f, 0, -2, 1, 2, 2, -1, 0.5f, 1, -3]; // [5,3]
    public static readonly float[] A = [1, 2, 0, 0, 1, -1, 3, 0, 1];                          // [3,3]
    public static readonly float[] B = [0.5f, 0, 1, -1, 2, 0, 0, 1, 1];                        // [3,3]
    public static readonly float[] U = [1, 0, -1, 2, 0.5f, 0, 1, 1, -2, 1, 2, -1, 0, 1, 3];    // [3,5]

    /// <summary>Writes the model and its hook map into <paramref name="folder"/>; returns the hooked model.</summary>
    public static HookedModel Write(string folder)
    {
        var g = new GraphProto { Name = "engine_graph" };
        g.Input.Add(TinyGraphs.ValueInfo("input_ids", TensorProto.Types.DataType.Int64, "batch", "seq"));
        g.Output.Add(TinyGraphs.ValueInfo("logits", TensorProto.Types.DataType.Float, "batch", "seq", Vocab));
        g.Initializer.Add(TensorProtos.Float("E", [Vocab, D], E));
        g.Initializer.Add(TensorProtos.Float("A", [D, D], A));
        g.Initializer.Add(TensorProtos.Float("B", [D, D], B));
        g.Initializer.Add(TensorProtos.Float("U", [D, Vocab], U));
        g.Node.Add(TinyGraphs.NodeOf("Gather", "embed", ["E", "input_ids"], ["embed"]));
        var t1 = TinyGraphs.NodeOf("Transpose", "to_seq_major", ["embed"], ["seq_major"]);
        t1.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 0, 2 } });
        g.Node.Add(t1);
        var t2 = TinyGraphs.NodeOf("Transpose", "to_batch_major", ["seq_major"], ["resid"]);
        t2.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 0, 2 } });
        g.Node.Add(t2);
        g.Node.Add(TinyGraphs.NodeOf("MatMul", "left", ["resid", "A"], ["left"]));
        g.Node.Add(TinyGraphs.NodeOf("MatMul", "right", ["resid", "B"], ["right"]));
        g.Node.Add(TinyGraphs.NodeOf("Add", "sum", ["left", "right"], ["sum"]));
        g.Node.Add(TinyGraphs.NodeOf("MatMul", "unembed", ["sum", "U"], ["logits"]));
        var m = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = g };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        var model = Path.Combine(folder, "engine.onnx");
        File.WriteAllBytes(model, m.ToByteArray());
        var map = Path.Combine(folder, "engine.hookmap.json");
        File.WriteAllText(map, """
        {
          "config": { "architecture": "engine-test", "n_layers": 1, "n_heads": 1, "d_model": 3, "d_head": 3, "d_vocab": 5, "normalization": "none" },
          "hooks": {
            "hook_embed": { "tensor": "embed" },
            "blocks.0.hook_resid_pre": { "tensor": "seq_major", "layout": ["pos", "batch", "d_model"] },
            "blocks.0.hook_resid_mid": { "tensor": "resid" },
            "blocks.0.hook_attn_out": { "tensor": "left" },
            "blocks.0.hook_mlp_out": { "tensor": "right" },
            "logits": { "tensor": "logits" }
          }
        }
        """);
        return HookedModel.Load(model, map);
    }

    public static float[] Embed(long token) => E.AsSpan((int)token * D, D).ToArray();

    /// <summary>Logits at one position, by hand, from what the left and right MatMuls read.</summary>
    public static float[] Logits(float[] leftInput, float[] rightInput)
    {
        var left = TinyGraphs.MatVec(leftInput, A, D, D);
        var right = TinyGraphs.MatVec(rightInput, B, D, D);
        return TinyGraphs.MatVec([.. left.Zip(right, (x, y) => x + y)], U, D, Vocab);
    }
}
