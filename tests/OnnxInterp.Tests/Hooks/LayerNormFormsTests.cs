using OnnxInterp.Graph;
using OnnxInterp.Hooks.Recognition;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Tests.Support;
using DataType = OnnxInterp.Onnx.Proto.TensorProto.Types.DataType;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// Issue #14 item 1: the LayerNorm forms real exports write are recognised as LayerNorms of the right input: no-op
/// Casts inside the chain and x - mean computed by two Sub nodes (Megatron-style GPT-2 exports), and the decomposition
/// torch writes before opset 17.
/// </summary>
public class LayerNormFormsTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_decomposed_layer_norm_is_found_with_its_input_weight_bias_and_epsilon(bool casts, bool twoSubs)
    {
        var q = new GraphQuery(LayerNormModel(casts, twoSubs));
        var ln = LayerNorm.To(q, "y");
        Assert.NotNull(ln);
        Assert.Equal("x", ln.Input);
        Assert.Equal("w", ln.Weight);
        Assert.Equal("b", ln.Bias);
        Assert.Equal(1e-5, ln.Epsilon, 1e-9);
        Assert.Equal("y", Assert.Single(LayerNorm.From(q, "x")).Output);
    }

    [Fact]
    public void Two_subs_of_different_operands_are_not_taken_for_one()
    {
        // d2 = x - w instead of x - mean: no longer a variance of d, so no LayerNorm.
        var proto = LayerNormProto(casts: false, twoSubs: true);
        proto.Graph.Node.Single(n => n.Name == "sub2").Input[1] = "w";
        Assert.Null(LayerNorm.To(new GraphQuery(OnnxModel.FromProto(proto)), "y"));
    }

    static OnnxModel LayerNormModel(bool casts, bool twoSubs) => OnnxModel.FromProto(LayerNormProto(casts, twoSubs));

    /// <summary>y = (x - mean(x)) / sqrt(mean((x - mean(x))^2) + 1e-5) * w + b over x [batch, 4], optionally with no-op Casts and a second Sub.</summary>
    static ModelProto LayerNormProto(bool casts, bool twoSubs)
    {
        var g = new GraphProto { Name = "ln" };
        g.Input.Add(TinyGraphs.ValueInfo("x", DataType.Float, "batch", 4));
        g.Output.Add(TinyGraphs.ValueInfo("y", DataType.Float, "batch", 4));
        g.Initializer.Add(TensorProtos.Float("w", [4], [1f, 2f, 3f, 4f]));
        g.Initializer.Add(TensorProtos.Float("b", [4], [0f, 0.5f, 0f, -0.5f]));
        g.Initializer.Add(TensorProtos.Float("two", [], [2f]));
        g.Initializer.Add(TensorProtos.Float("eps", [], [1e-5f]));
        string Cast(string input, string output)
        {
            if (!casts) return input;
            var node = TinyGraphs.NodeOf("Cast", "cast_" + output, [input], [output]);
            node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)DataType.Float });
            g.Node.Add(node);
            return output;
        }
        var xin = Cast("x", "xc");
        ReduceMean(g, xin, "mean");
        g.Node.Add(TinyGraphs.NodeOf("Sub", "sub", [xin, "mean"], ["d"]));
        var d2 = "d";
        if (twoSubs)
        {
            g.Node.Add(TinyGraphs.NodeOf("Sub", "sub2", [xin, "mean"], ["d2"]));
            d2 = "d2";
        }
        g.Node.Add(TinyGraphs.NodeOf("Pow", "pow", [d2, "two"], ["sq"]));
        ReduceMean(g, "sq", "var");
        g.Node.Add(TinyGraphs.NodeOf("Add", "add_eps", ["var", "eps"], ["var_eps"]));
        g.Node.Add(TinyGraphs.NodeOf("Sqrt", "sqrt", ["var_eps"], ["std"]));
        g.Node.Add(TinyGraphs.NodeOf("Div", "div", ["d", Cast("std", "std_c")], ["n"]));
        g.Node.Add(TinyGraphs.NodeOf("Mul", "mul", [Cast("n", "n_c"), "w"], ["nw"]));
        g.Node.Add(TinyGraphs.NodeOf("Add", "add_b", ["nw", "b"], ["y"]));
        var m = new ModelProto { IrVersion = 8, Graph = g };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return m;
    }

    static void ReduceMean(GraphProto g, string input, string output)
    {
        var node = TinyGraphs.NodeOf("ReduceMean", "rm_" + output, [input], [output]);
        node.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { -1 } });
        g.Node.Add(node);
    }
}
