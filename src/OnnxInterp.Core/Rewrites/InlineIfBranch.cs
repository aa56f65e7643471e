using OnnxInterp.Graph;

namespace OnnxInterp.Rewrites;

/// <summary>
/// Replaces a top-level <c>If</c> by the nodes of one of its branches, as if its condition were fixed, so the
/// branch's tensors become ordinary tensors that can be exposed and patched. The branch's outputs keep the If's
/// output names; graph inputs that nothing reads afterwards (the condition, inputs only the other branch read) are
/// removed, since a caller could not feed them meaningfully any more.
/// </summary>
public static class InlineIfBranch
{
    public static RewriteResult Apply(OnnxModel model, string ifOutput, bool condition)
    {
        var graph = model.Graph.Clone();
        var ifNode = graph.Producer(ifOutput) is { OpType: "If" } found
            ? found
            : throw new GraphException($"'{ifOutput}' is not produced by an If node.");
        var attribute = condition ? "then_branch" : "else_branch";
        var body = ifNode.Attribute(attribute)?.G ?? throw new GraphException($"{ifNode} has no {attribute}.");
        if (body.Input.Count > 0) throw new GraphException($"the {attribute} of {ifNode} declares inputs; an If branch must not.");

        var branch = GraphProtoConverter.Import(body);
        graph.RemoveNode(ifNode);
        foreach (var tensor in branch.Initializers.Values) graph.AddInitializer(tensor);
        foreach (var node in branch.Nodes) graph.AddNode(node); // throws if a branch tensor shadows an outer one
        foreach (var name in branch.ValueInfos.Keys)
            if (graph.TypeOf(name) is null && branch.TypeOf(name) is { } type) graph.SetType(name, type);
        for (int i = 0; i < ifNode.Outputs.Count; i++)
        {
            var (outer, inner) = (ifNode.Outputs[i], body.Output[i].Name);
            if (outer.Length == 0 || outer == inner) continue;
            graph.AddNode(new Node("Identity", [inner], [outer], graph.FreshName($"{ifNode.Name}/{attribute}/output_{i}")));
        }

        var read = new HashSet<string>(graph.Nodes.SelectMany(n => n.Inputs.Concat(OnnxGraph.SubgraphReads(n))).Concat(graph.Outputs), StringComparer.Ordinal);
        var dropped = graph.Inputs.Where(i => !read.Contains(i) && !graph.IsInitializer(i)).ToList();
        foreach (var input in dropped) graph.RemoveInput(input);
        graph.Cleanup();
        return new RewriteResult(model.WithGraph(graph), [], [], $"inline[{ifOutput}:{attribute}]");
    }
}
