using OnnxInterp.Graph;

namespace OnnxInterp.Rewrites;

/// <summary>
/// A graph cut in two at a tensor: <see cref="Prefix"/> computes the tensor and every other value the rest needs
/// (<see cref="Boundary"/>, the tensor first), <see cref="Suffix"/> takes those as graph inputs and computes the rest.
/// Running the prefix, then the suffix fed with its boundary values, computes what the whole graph computes; feeding
/// the suffix a changed value of the tensor is a host-side intervention. Each original output comes from the part
/// that computes it (<see cref="PrefixOutputs"/>: outputs the prefix computes).
/// </summary>
public sealed record GraphCut(OnnxModel Prefix, OnnxModel Suffix, IReadOnlyList<string> Boundary, IReadOnlyList<string> PrefixOutputs)
{
    /// <summary>
    /// Cuts <paramref name="model"/> at <paramref name="tensor"/>: the prefix is every node the tensor depends on. Every
    /// boundary tensor must have a declared element type (measure types first with TypeProbe.Fill).
    /// </summary>
    public static GraphCut At(OnnxModel model, string tensor)
    {
        var graph = model.Graph;
        if (graph.Producer(tensor) is null)
            throw new UnknownTensorException(tensor, graph.IsGraphInput(tensor) || graph.IsInitializer(tensor)
                ? "it is a graph input or initializer; there is nothing before it to cut off" : "no node of the graph produces it");
        var prefixNodes = Ancestors(graph, tensor);
        // Constant nodes stay on both sides (torch shares one between layers): no boundary value, no type needed.
        var produced = new HashSet<string>(prefixNodes.Where(n => n.OpType != "Constant" || n.Outputs.Contains(tensor)).SelectMany(n => n.Outputs).Where(o => o.Length > 0), StringComparer.Ordinal);
        var rest = graph.Nodes.Where(n => !prefixNodes.Contains(n)).ToList();
        var needed = rest.SelectMany(n => n.Inputs.Concat(OnnxGraph.SubgraphReads(n))).Where(produced.Contains).ToHashSet(StringComparer.Ordinal);
        var boundary = new List<string> { tensor };
        boundary.AddRange(graph.IntermediateTensors.Where(t => t != tensor && needed.Contains(t)).Distinct());
        var prefixOutputs = graph.Outputs.Where(produced.Contains).ToList();

        var prefix = graph.Clone();
        foreach (var o in prefix.Outputs.ToList()) prefix.RemoveOutput(o);
        foreach (var t in boundary.Concat(prefixOutputs).Distinct()) prefix.AddOutput(t);
        prefix.Cleanup();

        var suffix = graph.Clone();
        foreach (var node in suffix.Nodes.Where(n => n.Outputs.Any(produced.Contains)).ToList()) suffix.RemoveNode(node);
        foreach (var o in prefixOutputs) suffix.RemoveOutput(o);
        foreach (var t in boundary)
        {
            var type = graph.TypeOf(t);
            if (type is null || type.ElementType == ElementType.Undefined)
                throw new GraphException($"cannot cut the graph at '{tensor}': tensor '{t}' crosses the cut and has no declared type. Measure types first (TypeProbe.Fill).");
            suffix.AddInput(t, type);
        }
        suffix.Cleanup();
        return new GraphCut(model.WithGraph(prefix), model.WithGraph(suffix), boundary, prefixOutputs);
    }

    static HashSet<Node> Ancestors(OnnxGraph graph, string tensor)
    {
        var found = new HashSet<Node>();
        var stack = new Stack<string>([tensor]);
        while (stack.Count > 0)
            if (graph.Producer(stack.Pop()) is { } node && found.Add(node))
                foreach (var input in node.Inputs.Concat(OnnxGraph.SubgraphReads(node)).Where(i => i.Length > 0))
                    stack.Push(input);
        return found;
    }
}
