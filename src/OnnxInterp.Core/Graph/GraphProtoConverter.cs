using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Graph;

/// <summary>The only code that turns GraphProto into <see cref="OnnxGraph"/> and back.</summary>
public static class GraphProtoConverter
{
    public static OnnxGraph Import(GraphProto proto)
    {
        var header = proto.Clone();
        header.Node.Clear();
        header.Initializer.Clear();
        header.Input.Clear();
        header.Output.Clear();
        header.ValueInfo.Clear();
        var graph = new OnnxGraph { Header = header };
        // Initializers are shared, not copied: a large model is never duplicated in memory by an edit.
        foreach (var init in proto.Initializer) graph.MutableInitializers[init.Name] = init;
        foreach (var info in proto.ValueInfo) graph.MutableValueInfos[info.Name] = info;
        foreach (var input in proto.Input)
        {
            // Older exports list initializers among the inputs; those stay initializers with an input entry.
            graph.MutableInputs.Add(input.Name);
            graph.MutableValueInfos[input.Name] = input;
        }
        foreach (var output in proto.Output)
        {
            graph.MutableOutputs.Add(output.Name);
            graph.MutableValueInfos[output.Name] = output;
        }
        var lastProducer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < proto.Node.Count; i++)
            foreach (var o in proto.Node[i].Output.Where(o => o.Length > 0)) lastProducer[o] = i;
        var taken = new HashSet<string>(proto.Node.SelectMany(n => n.Output), StringComparer.Ordinal);
        for (int i = 0; i < proto.Node.Count; i++)
        {
            var n = proto.Node[i];
            var outputs = n.Output.Select(o => o.Length == 0 || lastProducer[o] == i ? o : Shadowed(graph, n, o, proto.Node[lastProducer[o]], taken)).ToList();
            var node = new Node(n.OpType, n.Input, outputs, n.Name, n.Domain, n.Attribute) { DocString = n.DocString, Original = n };
            node.MetadataProps.AddRange(n.MetadataProps);
            graph.MutableNodes.Add(node);
        }
        graph.Touch();
        if (!graph.IsInTopologicalOrder())
            graph.MutableRepairs.Add("the nodes are not in topological order; they are read (and written back) in an order where each comes after its inputs' producers, as ONNX Runtime sorts them");
        return graph;
    }

    /// <summary>
    /// A tensor name two nodes produce: ONNX Runtime connects every reader to the last producer, so the earlier one's
    /// output is renamed (nothing reads it any more) and the repair is recorded for inspect.
    /// </summary>
    static string Shadowed(OnnxGraph graph, NodeProto node, string name, NodeProto last, HashSet<string> taken)
    {
        var fresh = $"{name}__shadowed";
        for (int k = 1; taken.Contains(fresh); k++) fresh = $"{name}__shadowed{k}";
        taken.Add(fresh);
        graph.MutableRepairs.Add($"tensor '{name}' is produced by {Describe(node)} and again by {Describe(last)}; as in ONNX Runtime, readers get the last one, and the first is renamed '{fresh}'");
        return fresh;
    }

    static string Describe(NodeProto n) => n.Name.Length > 0 ? $"{n.OpType} '{n.Name}'" : $"an unnamed {n.OpType}";

    /// <summary>Writes the graph in topological order. Only input and output declarations are always written; value_info keeps the declared intermediates.</summary>
    public static GraphProto Export(OnnxGraph graph)
    {
        var ordered = graph.Clone().TopologicalSort();
        var proto = graph.Header.Clone();
        foreach (var n in ordered.Nodes) proto.Node.Add(ToProto(n));
        proto.Initializer.AddRange(graph.Initializers.Values);
        foreach (var input in graph.Inputs)
            proto.Input.Add(graph.ValueInfos.TryGetValue(input, out var i) ? i : new ValueInfoProto { Name = input });
        foreach (var output in graph.Outputs)
            proto.Output.Add(graph.ValueInfos.TryGetValue(output, out var o) ? o : new ValueInfoProto { Name = output });
        var declared = new HashSet<string>(graph.Inputs.Concat(graph.Outputs));
        foreach (var (name, info) in graph.ValueInfos)
            if (!declared.Contains(name) && !graph.IsInitializer(name)) proto.ValueInfo.Add(info);
        return proto;
    }

    static NodeProto ToProto(Node node)
    {
        // Start from the original to keep fields this schema does not model (overload, unknown fields).
        var proto = node.Original?.Clone() ?? new NodeProto();
        proto.Input.Clear(); proto.Input.AddRange(node.Inputs);
        proto.Output.Clear(); proto.Output.AddRange(node.Outputs);
        proto.Attribute.Clear(); proto.Attribute.AddRange(node.Attributes);
        proto.MetadataProps.Clear(); proto.MetadataProps.AddRange(node.MetadataProps);
        proto.Name = node.Name;
        proto.OpType = node.OpType;
        proto.Domain = node.Domain;
        proto.DocString = node.DocString;
        return proto;
    }
}
