using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Rewrites;

/// <summary>Inlining an If branch computes what the If computes when its condition has that value.</summary>
public class InlineIfBranchTests
{
    static readonly float[] X = [1.5f, -2f, 3f];

    /// <summary>y = If(cond) then x + c (c a top-level initializer) else x * x; the else branch names its output differently.</summary>
    static OnnxModel Conditional()
    {
        var g = new GraphProto { Name = "conditional" };
        g.Input.Add(TinyGraphs.ValueInfo("x", TensorProto.Types.DataType.Float, 3));
        g.Input.Add(TinyGraphs.ValueInfo("cond", TensorProto.Types.DataType.Bool, 1));
        g.Input.Add(TinyGraphs.ValueInfo("unused_by_else", TensorProto.Types.DataType.Float, 3));
        g.Output.Add(TinyGraphs.ValueInfo("y", TensorProto.Types.DataType.Float, 3));
        g.Initializer.Add(OnnxInterp.Onnx.TensorProtos.Float("c", [3], [10f, 20f, 30f]));

        var then = new GraphProto { Name = "then" };
        then.Node.Add(TinyGraphs.NodeOf("Add", "then/Add", ["x", "c"], ["sum"]));
        then.Node.Add(TinyGraphs.NodeOf("Add", "then/Add2", ["sum", "unused_by_else"], ["y_then"]));
        then.Output.Add(TinyGraphs.ValueInfo("y_then", TensorProto.Types.DataType.Float, 3));
        var otherwise = new GraphProto { Name = "else" };
        otherwise.Node.Add(TinyGraphs.NodeOf("Mul", "else/Mul", ["x", "x"], ["square"]));
        otherwise.Output.Add(TinyGraphs.ValueInfo("square", TensorProto.Types.DataType.Float, 3));

        var ifNode = TinyGraphs.NodeOf("If", "branch", ["cond"], ["y"]);
        ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then });
        ifNode.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise });
        g.Node.Add(ifNode);
        var proto = new ModelProto { IrVersion = 8, Graph = g };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return OnnxModel.FromProto(proto);
    }

    static NamedTensor Y(OnnxModel model, bool? cond)
    {
        var feeds = new List<NamedTensor> { NamedTensor.Float("x", [3], X) };
        if (model.Graph.IsGraphInput("cond")) feeds.Add(NamedTensor.Bool("cond", [1], [cond!.Value]));
        if (model.Graph.IsGraphInput("unused_by_else")) feeds.Add(NamedTensor.Float("unused_by_else", [3], [1f, 1f, 1f]));
        return Outputs(model, feeds)["y"];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_inlined_branch_computes_what_the_if_computes_with_that_condition(bool condition)
    {
        var model = Conditional();
        var inlined = InlineIfBranch.Apply(model, "y", condition).Model;
        Assert.DoesNotContain(inlined.Graph.Nodes, n => n.OpType == "If");
        Assert.DoesNotContain("cond", inlined.Graph.Inputs);
        Assert.Equal(condition, inlined.Graph.IsGraphInput("unused_by_else"));
        float[] expected = condition ? [12.5f, 19f, 34f] : [2.25f, 4f, 9f]; // by hand
        Assert.Equal(expected, Y(model, condition).ToFloats());
        Assert.Equal(expected, Y(inlined, null).ToFloats());
        Assert.Equal(["If"], model.Graph.Nodes.Select(n => n.OpType)); // input untouched
    }

    [Fact]
    public void A_tensor_that_is_not_an_if_output_is_refused()
    {
        var e = Assert.Throws<GraphException>(() => InlineIfBranch.Apply(Conditional(), "x", true));
        Assert.Contains("not produced by an If", e.Message);
    }
}
