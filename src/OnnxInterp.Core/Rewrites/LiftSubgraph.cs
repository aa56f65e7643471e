using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>
/// Makes one graph attribute of a node (the <c>decoder</c> of ONNX Runtime's BeamSearch, a Loop body, …) the model's
/// graph: its inputs, outputs, nodes and value infos, under the model's own header (IR version, opset imports, metadata)
/// and folder (external data resolves as before). A subgraph may read names of the enclosing graph: the initializers it
/// reads (nested subgraphs' reads included) come along, shared and never copied, and so do enclosing <c>Constant</c> nodes;
/// any other outer value (a graph input, another node's output) has no meaning without the enclosing graph and is refused.
/// </summary>
public static class LiftSubgraph
{
    public static RewriteResult Apply(OnnxModel model, Node node, string attribute)
    {
        var body = node.Attribute(attribute)?.G ?? throw new GraphException($"{node} has no graph attribute '{attribute}'.");
        var outer = model.Graph;
        var lifted = body.Clone(); // tensor bytes are immutable ByteStrings: the clone shares them
        var constants = new List<NodeProto>();
        foreach (var name in FreeNames(body).Distinct(StringComparer.Ordinal))
        {
            if (outer.Initializers.TryGetValue(name, out var tensor)) lifted.Initializer.Add(tensor);
            else if (outer.Producer(name) is { OpType: "Constant", Inputs.Count: 0 } constant)
            {
                var proto = new NodeProto { OpType = "Constant", Name = constant.Name, Domain = constant.Domain };
                proto.Output.AddRange(constant.Outputs);
                proto.Attribute.AddRange(constant.Attributes);
                constants.Add(proto);
            }
            else throw new GraphException(
                $"the {attribute} of {Describe(node)} reads '{name}' from the enclosing graph, where {(outer.Producer(name) is { } p ? Describe(p) : "a graph input")} computes it; " +
                "only initializers and constants can be carried into a standalone model.");
        }
        for (int i = constants.Count - 1; i >= 0; i--) lifted.Node.Insert(0, constants[i]);
        return new RewriteResult(model.WithGraph(GraphProtoConverter.Import(lifted)), [], [], $"lift[{node.Name}:{attribute}]");
    }

    /// <summary>Names a subgraph (or one nested in it) reads without defining them: what it takes from enclosing scopes.</summary>
    static IEnumerable<string> FreeNames(GraphProto g)
    {
        var local = new HashSet<string>(g.Node.SelectMany(n => n.Output).Concat(g.Input.Select(i => i.Name)).Concat(g.Initializer.Select(i => i.Name)), StringComparer.Ordinal);
        foreach (var n in g.Node)
        {
            foreach (var input in n.Input)
                if (input.Length > 0 && !local.Contains(input)) yield return input;
            foreach (var a in n.Attribute)
                foreach (var sub in a.Graphs.Prepend(a.G).OfType<GraphProto>())
                    foreach (var name in FreeNames(sub))
                        if (!local.Contains(name)) yield return name;
        }
    }

    static string Describe(Node n) => $"{(n.Domain.Length > 0 ? n.Domain + "." : "")}{n.OpType} '{(n.Name.Length > 0 ? n.Name : n.Outputs.FirstOrDefault())}'";
}
