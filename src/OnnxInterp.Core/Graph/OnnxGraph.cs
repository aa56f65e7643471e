using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Graph;

/// <summary>
/// An editable view of one ONNX graph: nodes, graph inputs and outputs, initializers and declared types.
/// Producer and consumer links are derived from the nodes and rebuilt after every edit made through
/// this class, so they can never disagree with the nodes. Initializers are shared by reference with the
/// graph this one was cloned or imported from: treat a <see cref="TensorProto"/> as immutable.
/// </summary>
public sealed partial class OnnxGraph
{
    readonly List<Node> nodes = [];
    readonly List<string> inputs = [];
    readonly List<string> outputs = [];
    readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    readonly Dictionary<string, ValueInfoProto> valueInfos = new(StringComparer.Ordinal);
    readonly List<string> repairs = [];
    Dictionary<string, Node>? producers;
    Dictionary<string, List<Node>>? consumers;
    HashSet<string>? nodeNames;
    Dictionary<string, int>? nextSuffix;

    /// <summary>Graph fields this class does not edit (name, doc string, sparse initializers, annotations).</summary>
    internal GraphProto Header { get; init; } = new();

    public string Name => Header.Name;
    public IReadOnlyList<Node> Nodes => nodes;
    public IReadOnlyList<string> Inputs => inputs;
    public IReadOnlyList<string> Outputs => outputs;
    public IReadOnlyDictionary<string, TensorProto> Initializers => initializers;

    public Node? Producer(string tensor) { Index(); return producers!.GetValueOrDefault(tensor); }

    public IReadOnlyList<Node> Consumers(string tensor)
    {
        Index();
        return consumers!.TryGetValue(tensor, out var list) ? list : [];
    }

    public bool IsInitializer(string tensor) => initializers.ContainsKey(tensor);
    public bool IsGraphInput(string tensor) => inputs.Contains(tensor);
    public bool IsGraphOutput(string tensor) => outputs.Contains(tensor);

    public bool Contains(string tensor) =>
        initializers.ContainsKey(tensor) || inputs.Contains(tensor) || Producer(tensor) is not null;

    /// <summary>Every tensor a node produces, in node order: the tensors that can be exposed.</summary>
    public IEnumerable<string> IntermediateTensors =>
        nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0);

    /// <summary>The declared type, or null when the file declares none (run a probe to measure it).</summary>
    public TensorType? TypeOf(string tensor)
    {
        if (valueInfos.TryGetValue(tensor, out var info) && info.Type?.TensorType is { } t)
            return new TensorType((ElementType)t.ElemType, t.Shape is null ? null : t.Shape.Dim.Select(ToDim).ToList());
        if (initializers.TryGetValue(tensor, out var init))
            return new TensorType((ElementType)init.DataType, init.Dims.Select(Dim.Of).ToList());
        return null;
    }

    public void SetType(string tensor, TensorType type)
    {
        var info = valueInfos.TryGetValue(tensor, out var existing) ? existing.Clone() : new ValueInfoProto { Name = tensor };
        info.Type = ToProto(type);
        valueInfos[tensor] = info;
    }

    /// <summary>Sets the doc string of a declared tensor (a graph input, output or value_info entry); other tensors have no declaration to hold one.</summary>
    public void SetDocString(string tensor, string text)
    {
        if (!valueInfos.TryGetValue(tensor, out var existing)) return;
        var info = existing.Clone();
        info.DocString = text;
        valueInfos[tensor] = info;
    }

    public void AddNode(Node node)
    {
        foreach (var output in node.Outputs.Where(o => o.Length > 0))
            if (Contains(output))
                throw new GraphException($"cannot add {node}: tensor '{output}' already exists (produced by {Producer(output)?.ToString() ?? "a graph input or initializer"}).");
        nodes.Add(node);
        // Kept up to date rather than rebuilt: rewrites add nodes one by one, and rebuilding per node is quadratic.
        if (producers is null) return;
        foreach (var output in node.Outputs.Where(o => o.Length > 0)) producers[output] = node;
        foreach (var input in node.Inputs.Where(i => i.Length > 0).Distinct()) AddConsumer(input, node);
        nodeNames!.Add(node.Name);
    }

    void AddConsumer(string tensor, Node node)
    {
        if (!consumers!.TryGetValue(tensor, out var list)) consumers[tensor] = list = [];
        list.Add(node);
    }

    public void RemoveNode(Node node)
    {
        if (!nodes.Remove(node)) throw new GraphException($"{node} is not in this graph.");
        Invalidate();
    }

    public void SetNodeInput(Node node, int index, string tensor)
    {
        var old = node.inputs[index];
        node.inputs[index] = tensor;
        if (producers is null) return;
        if (old.Length > 0 && !node.inputs.Contains(old) && consumers!.TryGetValue(old, out var readers)) readers.Remove(node);
        if (tensor.Length > 0 && !(consumers!.TryGetValue(tensor, out var list) && list.Contains(node))) AddConsumer(tensor, node);
    }

    /// <summary>Renames one output of <paramref name="node"/>; its readers keep reading the old name, which no node produces until another node does.</summary>
    public void SetNodeOutput(Node node, int index, string tensor)
    {
        if (Contains(tensor)) throw new GraphException($"cannot rename an output of {node} to '{tensor}': a tensor with that name exists.");
        var old = node.outputs[index];
        node.outputs[index] = tensor;
        if (producers is null) return;
        producers.Remove(old);
        producers[tensor] = node;
    }

    /// <summary>Points every consumer of <paramref name="from"/> at <paramref name="to"/>, except the nodes in <paramref name="except"/>.</summary>
    public void RedirectConsumers(string from, string to, params Node[] except)
    {
        foreach (var node in Consumers(from).Except(except).ToList())
            for (int i = 0; i < node.inputs.Count; i++)
                if (node.inputs[i] == from) node.inputs[i] = to;
        Invalidate();
    }

    public void AddInput(string name, TensorType type)
    {
        if (Contains(name)) throw new GraphException($"cannot add graph input '{name}': a tensor with that name exists.");
        inputs.Add(name);
        SetType(name, type);
    }

    /// <summary>Removes a graph input that no node reads any more (its declared type goes with it).</summary>
    public void RemoveInput(string name)
    {
        if (Consumers(name).Count > 0) throw new GraphException($"cannot remove graph input '{name}': {Consumers(name)[0]} reads it.");
        inputs.Remove(name);
        valueInfos.Remove(name);
    }

    /// <summary>Makes an existing tensor a graph output; its declared type, if any, goes with it.</summary>
    public void AddOutput(string name)
    {
        if (!Contains(name)) throw new GraphException($"cannot expose '{name}': no such tensor in graph '{Name}'.");
        if (!outputs.Contains(name)) outputs.Add(name);
    }

    public void RemoveOutput(string name) => outputs.Remove(name);

    public void AddInitializer(TensorProto tensor)
    {
        if (Contains(tensor.Name)) throw new GraphException($"cannot add initializer '{tensor.Name}': a tensor with that name exists.");
        initializers[tensor.Name] = tensor;
        Invalidate();
    }

    /// <summary>A name no tensor or node of this graph uses yet, derived from <paramref name="stem"/>.</summary>
    public string FreshName(string stem)
    {
        Index();
        if (!Contains(stem) && !nodeNames!.Contains(stem)) return stem;
        // Counting on from the last suffix handed out keeps thousands of names on one stem linear.
        for (int i = nextSuffix!.GetValueOrDefault(stem, 1); ; i++)
        {
            var candidate = $"{stem}_{i}";
            if (!Contains(candidate) && !nodeNames!.Contains(candidate))
            {
                nextSuffix![stem] = i + 1;
                return candidate;
            }
        }
    }

    /// <summary>A copy whose node list and declarations can be edited without touching this graph; initializers are shared.</summary>
    public OnnxGraph Clone()
    {
        var copy = new OnnxGraph { Header = Header.Clone() };
        foreach (var n in nodes)
        {
            var c = new Node(n.OpType, n.Inputs, n.Outputs, n.Name, n.Domain, n.Attributes.Select(a => a.Clone())) { DocString = n.DocString, Original = n.Original };
            c.MetadataProps.AddRange(n.MetadataProps.Select(p => p.Clone()));
            copy.nodes.Add(c);
        }
        copy.inputs.AddRange(inputs);
        copy.outputs.AddRange(outputs);
        foreach (var (k, v) in initializers) copy.initializers[k] = v;
        foreach (var (k, v) in valueInfos) copy.valueInfos[k] = v;
        copy.repairs.AddRange(repairs);
        return copy;
    }

    void Invalidate() { producers = null; consumers = null; nodeNames = null; nextSuffix = null; }

    void Index()
    {
        if (producers is not null) return;
        var p = new Dictionary<string, Node>(StringComparer.Ordinal);
        var c = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var o in node.Outputs)
                if (o.Length > 0 && !p.TryAdd(o, node))
                    throw new GraphException($"tensor '{o}' is produced twice: by {p[o]} and by {node}. Tensor names must be unique.");
            foreach (var i in node.Inputs.Where(i => i.Length > 0).Distinct())
            {
                if (!c.TryGetValue(i, out var list)) c[i] = list = [];
                list.Add(node);
            }
        }
        producers = p;
        consumers = c;
        nodeNames = [.. nodes.Select(n => n.Name)];
        nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
    }

    internal static Dim ToDim(TensorShapeProto.Types.Dimension d) => d.ValueCase switch
    {
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => Dim.Of(d.DimValue),
        TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => Dim.Named(d.DimParam),
        _ => Dim.Unknown,
    };

    internal static TypeProto ToProto(TensorType type)
    {
        var t = new TypeProto.Types.Tensor { ElemType = (int)type.ElementType };
        if (type.Shape is not null)
        {
            t.Shape = new TensorShapeProto();
            foreach (var d in type.Shape)
            {
                var dim = new TensorShapeProto.Types.Dimension();
                if (d.Value is { } v) dim.DimValue = v;
                else if (d.Param is { } p) dim.DimParam = p;
                t.Shape.Dim.Add(dim);
            }
        }
        return new TypeProto { TensorType = t };
    }

    /// <summary>What was repaired when this graph was read (duplicate tensor names, node order), in the user's words, for inspect.</summary>
    public IReadOnlyList<string> Repairs => repairs;

    internal List<string> MutableRepairs => repairs;
    internal IReadOnlyDictionary<string, ValueInfoProto> ValueInfos => valueInfos;
    internal List<Node> MutableNodes => nodes;
    internal List<string> MutableInputs => inputs;
    internal List<string> MutableOutputs => outputs;
    internal Dictionary<string, TensorProto> MutableInitializers => initializers;
    internal Dictionary<string, ValueInfoProto> MutableValueInfos => valueInfos;
    internal void Touch() => Invalidate();
}
