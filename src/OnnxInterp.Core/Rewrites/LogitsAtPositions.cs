using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>
/// Computes logits only at the positions a metric reads. The unembedding is a chain of per-position ops ending in
/// the logits (MatMul by a weight, Add of a bias, ..., each other operand computed from weights alone); this inserts
/// <c>Gather(x, positions, axis 1)</c> on the chain's input, repeats the chain on the gathered rows, makes that the
/// output and drops the full logits, so a GPT-2 vocabulary's 50257-wide product runs once per read position instead
/// of once per token. With no such chain it gathers the logits themselves. The new int64 input <c>positions</c>
/// holds the positions; <c>output</c> is [batch, positions, vocab].
/// </summary>
public static class LogitsAtPositions
{
    static readonly HashSet<string> PerPosition = ["MatMul", "Add", "Sub", "Mul", "Div"];

    public static RewriteResult Apply(OnnxModel model, string logits, string positions, string output)
    {
        var graph = model.Graph.Clone();
        graph.AddInput(positions, new TensorType(ElementType.Int64, [Dim.Unknown]));
        var chain = Chain(graph, logits);
        var start = chain.Count == 0 ? logits : chain[^1].Inputs[DataInput(graph, chain[^1])];
        var gathered = graph.FreshName(start + "/at_positions");
        graph.AddNode(new Node("Gather", [start, positions], [gathered], graph.FreshName("metric/Gather"),
            attributes: [new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }]));
        var current = gathered;
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            var node = chain[i];
            int data = DataInput(graph, node);
            var result = i == 0 ? output : graph.FreshName(node.Outputs[0] + "/at_positions");
            var inputs = node.Inputs.Select((t, k) => k == data ? current : t).ToList();
            graph.AddNode(new Node(node.OpType, inputs, [result], graph.FreshName(node.Name + "/at_positions"), node.Domain,
                node.Attributes.Select(a => a.Clone())));
            current = result;
        }
        if (chain.Count == 0)
            graph.AddNode(new Node("Identity", [gathered], [output], graph.FreshName("metric/Identity")));
        graph.AddOutput(output);
        if (chain.Count > 0 && graph.Consumers(logits).Count == 0)
        {
            graph.RemoveOutput(logits);
            graph.Cleanup();
        }
        return new RewriteResult(model.WithGraph(graph), [output], [], $"logits-at-positions[{logits}]");
    }

    /// <summary>The per-position nodes from the logits back (logits' producer first), each with one data operand.</summary>
    static List<Node> Chain(OnnxGraph graph, string logits)
    {
        var chain = new List<Node>();
        var memo = new Dictionary<string, bool>(StringComparer.Ordinal);
        var tensor = logits;
        while (graph.Producer(tensor) is { } node && PerPosition.Contains(node.OpType) && node.Domain.Length == 0 && node.Outputs.Count == 1
               && node.Inputs.Count == 2 && node.Inputs.Count(i => !FromWeights(graph, i, memo)) == 1
               && (node.OpType != "MatMul" || !FromWeights(graph, node.Inputs[0], memo))
               && (node == graph.Producer(logits) || graph.Consumers(tensor).Count == 1))
        {
            chain.Add(node);
            tensor = node.Inputs[DataInput(graph, node)];
        }
        return chain;
    }

    static int DataInput(OnnxGraph graph, Node node) =>
        node.Inputs.Select((t, i) => (t, i)).First(p => !FromWeights(graph, p.t, new Dictionary<string, bool>())).i;

    /// <summary>True when a tensor is computed from initializers and constants alone (no graph input reaches it).</summary>
    static bool FromWeights(OnnxGraph graph, string tensor, Dictionary<string, bool> memo)
    {
        if (memo.TryGetValue(tensor, out var known)) return known;
        bool result;
        if (graph.IsInitializer(tensor)) result = true;
        else if (graph.IsGraphInput(tensor)) result = false;
        else if (graph.Producer(tensor) is not { } node) result = false;
        else
        {
            memo[tensor] = false; // cycle guard
            result = node.Inputs.All(i => i.Length == 0 || FromWeights(graph, i, memo));
        }
        return memo[tensor] = result;
    }
}
