using Google.Protobuf;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Onnx;

/// <summary>Reads and writes ONNX model files, including tensors stored as external data.</summary>
/// <remarks>
/// Loading never touches external data: such initializers keep their <c>external_data</c> entries and
/// are resolved against the model's folder only when a value is needed (<see cref="ExternalData"/>).
/// Saving writes to a temporary file beside the target and then moves it into place, so a failed
/// save never leaves a half-written model and never touches the model that was read.
/// </remarks>
public static class ModelIO
{
    /// <summary>Loads a model; throws <see cref="OnnxFormatException"/> with a readable message when the file is not ONNX.</summary>
    public static ModelProto Load(string path)
    {
        if (Directory.Exists(path))
            throw new OnnxFormatException($"{path} is a folder, not an ONNX model file; give the path of the .onnx file inside it.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"model file not found: {path}. Check the path, or run `onnxinterp inspect` on an existing .onnx file.", path);
        // A FIFO or a device would block or never end: only a regular file is read.
        if (FileIdentity.IsSpecialFile(path))
            throw new OnnxFormatException($"{path} is not a regular file (a FIFO, device or socket); give the .onnx file itself.");
        using var stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    public static ModelProto Parse(Stream stream, string description)
    {
        ModelProto model;
        try
        {
            var input = new CodedInputStream(stream);
            model = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxFormatException($"{description} is not a readable ONNX model ({e.Message}). The file may be truncated or not an ONNX file; re-export it or check the path.", e);
        }
        if (model.Graph is null || model.IrVersion == 0 && model.OpsetImport.Count == 0)
            throw new OnnxFormatException($"{description} is not an ONNX model: it has no graph or no IR version. Check that the file is an .onnx export.");
        return model;
    }

    /// <summary>
    /// Saves <paramref name="model"/> to <paramref name="path"/> atomically. External-data tensors whose
    /// side file lives in <paramref name="sourceFolder"/> are checked (<see cref="ExternalData.Validate"/>) and copied
    /// beside the output when the output goes to another folder, so the saved model stays loadable. A side file already
    /// there is reused only when its bytes are the source's; otherwise the save is refused. <paramref name="verify"/>
    /// (for example: load it in ONNX Runtime) sees the written file before it takes the output's name; when anything
    /// fails, every file this save created is removed and the output path keeps what it held.
    /// </summary>
    public static void Save(ModelProto model, string path, string? sourceFolder = null, Action<string>? verify = null)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"cannot write {path}: folder {folder} does not exist. Create it or choose another output path.");
        var created = new List<string>();
        try
        {
            if (sourceFolder is not null)
            {
                ExternalData.Validate(model, sourceFolder);
                if (!FileIdentity.Same(sourceFolder, folder))
                    SideFiles.CopyBeside(model, sourceFolder, folder, created);
            }
            AtomicFile.Write(path, stream => model.WriteTo(stream), verify);
        }
        catch
        {
            foreach (var file in created) File.Delete(file);
            throw;
        }
    }

    /// <summary>Moves every initializer larger than <paramref name="minBytes"/> into one side file next to <paramref name="path"/>.</summary>
    public static void SaveWithExternalData(ModelProto model, string path, string dataFileName, int minBytes = 1024)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var copy = model.Clone();
        AtomicFile.Write(Path.Combine(folder, dataFileName), data =>
        {
            foreach (var tensor in AllInitializers(copy.Graph))
            {
                if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.RawData.Length < minBytes)
                    continue;
                long offset = data.Position;
                tensor.RawData.WriteTo(data);
                tensor.RawData = ByteString.Empty;
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = dataFileName });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = (data.Position - offset).ToString() });
                // Keep offsets 4 KiB aligned as onnx's own writer does, so readers may map the file.
                while (data.Position % 4096 != 0) data.WriteByte(0);
            }
        });
        AtomicFile.Write(path, stream => copy.WriteTo(stream));
    }

    /// <summary>Initializers of a graph and of every subgraph inside it (If/Loop/Scan bodies).</summary>
    public static IEnumerable<TensorProto> AllInitializers(GraphProto graph)
    {
        foreach (var t in graph.Initializer) yield return t;
        foreach (var node in graph.Node)
            foreach (var attr in node.Attribute)
            {
                if (attr.G is not null)
                    foreach (var t in AllInitializers(attr.G)) yield return t;
                foreach (var g in attr.Graphs)
                    foreach (var t in AllInitializers(g)) yield return t;
                if (attr.T is not null) yield return attr.T;
            }
    }
}
