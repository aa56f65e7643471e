using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Graph;

/// <summary>
/// A model: its editable main graph plus everything else the file carries (IR version, opset imports,
/// metadata, functions), and the folder its external data is resolved against.
/// </summary>
public sealed class OnnxModel
{
    OnnxModel(ModelProto header, OnnxGraph graph, string? sourceFolder)
    {
        Header = header;
        Graph = graph;
        SourceFolder = sourceFolder;
    }

    /// <summary>The model's fields other than its graph.</summary>
    public ModelProto Header { get; }
    public OnnxGraph Graph { get; }
    /// <summary>Folder of the file this model was read from: where its external data lives.</summary>
    public string? SourceFolder { get; }

    public static OnnxModel Load(string path) =>
        FromProto(ModelIO.Load(path), Path.GetDirectoryName(Path.GetFullPath(path)));

    public static OnnxModel FromProto(ModelProto proto, string? sourceFolder = null)
    {
        var header = proto.Clone();
        header.Graph = null;
        return new OnnxModel(header, GraphProtoConverter.Import(proto.Graph), sourceFolder);
    }

    /// <summary>A model with the same header and folder around another graph (what rewrites return).</summary>
    public OnnxModel WithGraph(OnnxGraph graph) => new(Header, graph, SourceFolder);

    /// <summary>A model with metadata entry <paramref name="key"/> set to <paramref name="value"/> (replacing one of that key); this one is untouched.</summary>
    public OnnxModel WithMetadata(string key, string value)
    {
        var header = Header.Clone();
        if (header.MetadataProps.FirstOrDefault(p => p.Key == key) is { } existing) header.MetadataProps.Remove(existing);
        header.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return new OnnxModel(header, Graph, SourceFolder);
    }

    public long Opset(string domain = "") =>
        Header.OpsetImport.LastOrDefault(o => o.Domain == domain || domain == "" && o.Domain == "ai.onnx")?.Version ?? 0; // last, as ORT reads a domain listed twice

    public string? Metadata(string key) => Header.MetadataProps.FirstOrDefault(p => p.Key == key)?.Value;

    public ModelProto ToProto()
    {
        var proto = Header.Clone();
        proto.Graph = GraphProtoConverter.Export(Graph);
        return proto;
    }

    /// <summary>
    /// Writes the model atomically; external data files are checked and copied beside it when it goes to another folder.
    /// <paramref name="verify"/> sees the written file before it takes <paramref name="path"/>'s name (<see cref="ModelIO.Save"/>).
    /// </summary>
    public void Save(string path, Action<string>? verify = null) => ModelIO.Save(ToProto(), path, SourceFolder, verify);

    /// <summary>The distinct external-data locations the model's initializers name (main graph and subgraphs), as written in the file.</summary>
    public IReadOnlyList<string> ExternalDataLocations() =>
        [.. ModelIO.AllInitializers(ToProto().Graph).Where(ExternalData.IsExternal)
            .Select(t => t.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value).OfType<string>().Distinct()];

    public bool HasExternalData =>
        ModelIO.AllInitializers(ToProtoShallow()).Any(t => t.DataLocation == TensorProto.Types.DataLocation.External);

    GraphProto ToProtoShallow()
    {
        var g = new GraphProto();
        g.Initializer.AddRange(Graph.Initializers.Values);
        return g;
    }
}
