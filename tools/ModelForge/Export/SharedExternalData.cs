using Google.Protobuf;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.ModelForge.Export;

/// <summary>
/// Writes initializers into one external-data file that several model files reference (the five tiny-gpt2
/// variants share their weights). Follows the ONNX convention: data_location = EXTERNAL and external_data
/// entries location (relative to the model's folder), offset and length; offsets are 4 KiB aligned like onnx's writer.
/// </summary>
public static class SharedExternalData
{
    /// <summary>Returns the tensors with every one of at least <paramref name="minBytes"/> replaced by a reference into the file.</summary>
    public static List<TensorProto> Write(IReadOnlyList<TensorProto> tensors, string folder, string fileName, int minBytes = 1024)
    {
        var result = new List<TensorProto>(tensors.Count);
        var path = Path.Combine(folder, fileName);
        var temporary = path + ".tmp";
        using (var data = File.Create(temporary))
        {
            foreach (var tensor in tensors)
            {
                if (tensor.RawData.Length < minBytes)
                {
                    result.Add(tensor);
                    continue;
                }
                while (data.Position % 4096 != 0) data.WriteByte(0);
                long offset = data.Position;
                tensor.RawData.WriteTo(data);
                var reference = tensor.Clone();
                reference.RawData = ByteString.Empty;
                reference.DataLocation = TensorProto.Types.DataLocation.External;
                reference.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = fileName });
                reference.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
                reference.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString() });
                result.Add(reference);
            }
        }
        File.Move(temporary, path, overwrite: true);
        return result;
    }
}
