using System.Globalization;
using Google.Protobuf;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Onnx;

/// <summary>
/// Resolves tensors stored outside the model file (the ONNX external-data convention), with onnx-ir's containment rule:
/// a location is read only when, after every symbolic link is resolved, it is a regular file inside the model's
/// folder, and only within that file's bytes.
/// </summary>
public static class ExternalData
{
    public static string Location(TensorProto tensor) =>
        Entry(tensor, "location") ?? throw new OnnxFormatException($"tensor '{tensor.Name}' is marked external but has no location entry.");

    /// <summary>Resolves a location relative to the model's folder, refusing paths or links that leave it and files that are not regular files.</summary>
    public static string ResolvePath(string location, string modelFolder)
    {
        var root = Path.GetFullPath(modelFolder);
        if (location.Length == 0 || Path.IsPathRooted(location))
            throw new OnnxFormatException($"external data location '{location}' is not a path relative to the model's folder {root}; re-save the model with its side files beside it.");
        var full = Path.GetFullPath(Path.Combine(root, location));
        if (!FileIdentity.IsInside(full, root))
            throw new OnnxFormatException($"external data location '{location}' points outside the model folder {root}{(FileIdentity.RealPath(full) != full ? $" (through a symbolic link, to {FileIdentity.RealPath(full)})" : "")}; OnnxInterp reads side files only from the model's own folder.");
        if (!File.Exists(full))
            throw new FileNotFoundException($"external data file '{location}' not found next to the model (looked for {full}). Copy it beside the .onnx file.", full);
        if (FileIdentity.IsSpecialFile(full))
            throw new OnnxFormatException($"external data location '{location}' is not a regular file; a side file must be a plain file beside the model.");
        return full;
    }

    /// <summary>
    /// Checks every external tensor of <paramref name="model"/> before anything reads it: a location inside the folder,
    /// an offset and length inside its file, and a length that matches the tensor's dimensions.
    /// </summary>
    public static void Validate(ModelProto model, string modelFolder)
    {
        foreach (var tensor in ModelIO.AllInitializers(model.Graph).Where(IsExternal))
            Range(tensor, modelFolder);
    }

    /// <summary>The side file of an external tensor and the byte range it reads, checked against the file.</summary>
    public static (string Path, long Offset, long Length) Range(TensorProto tensor, string modelFolder)
    {
        var location = Location(tensor);
        var path = ResolvePath(location, modelFolder);
        long size = new FileInfo(path).Length;
        long offset = Number(tensor, "offset") ?? 0;
        long length = Number(tensor, "length") ?? size - offset;
        if (offset < 0 || length < 0 || offset > size || length > size - offset)
            throw new OnnxFormatException($"initializer '{tensor.Name}' reads bytes {offset}..{offset + length} of '{location}', but that file has {size} bytes: the side file is truncated or belongs to another model. Re-export the model or copy its complete side file.");
        if (ExpectedBytes(tensor) is { } expected && expected != length)
            throw new OnnxFormatException($"initializer '{tensor.Name}' needs {expected} bytes for its dimensions [{string.Join(", ", tensor.Dims)}] but its external-data record in '{location}' gives {length}; the model file and its side file do not match.");
        return (path, offset, length);
    }

    /// <summary>Returns the raw little-endian bytes of a tensor, reading its side file if it is external.</summary>
    public static byte[] ReadRaw(TensorProto tensor, string modelFolder)
    {
        if (!IsExternal(tensor))
            return tensor.RawData.ToByteArray();
        var (path, offset, length) = Range(tensor, modelFolder);
        using var file = File.OpenRead(path);
        var bytes = new byte[length];
        file.Seek(offset, SeekOrigin.Begin);
        file.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Copies <paramref name="tensor"/> with its data moved inline, for a model written elsewhere.</summary>
    public static TensorProto Inlined(TensorProto tensor, string modelFolder)
    {
        if (!IsExternal(tensor)) return tensor;
        var copy = tensor.Clone();
        copy.RawData = ByteString.CopyFrom(ReadRaw(tensor, modelFolder));
        copy.ExternalData.Clear();
        copy.DataLocation = TensorProto.Types.DataLocation.Default;
        return copy;
    }

    public static bool IsExternal(TensorProto tensor) => tensor.DataLocation == TensorProto.Types.DataLocation.External;

    static long? Number(TensorProto tensor, string key)
    {
        if (Entry(tensor, key) is not { } text) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
            : throw new OnnxFormatException($"initializer '{tensor.Name}' has external-data {key} '{text}', which is not a byte count.");
    }

    /// <summary>Bytes the tensor's dimensions need, for fixed-size element types; null where that is not known.</summary>
    static long? ExpectedBytes(TensorProto tensor)
    {
        int size = (TensorProto.Types.DataType)tensor.DataType switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
            TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
            TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
            _ => 0,
        };
        if (size == 0 || tensor.Dims.Any(d => d < 0)) return null;
        try { return checked(tensor.Dims.Aggregate(1L, (a, d) => a * d) * size); }
        catch (OverflowException) { return null; }
    }

    static string? Entry(TensorProto tensor, string key) =>
        tensor.ExternalData.FirstOrDefault(e => e.Key == key)?.Value;
}
