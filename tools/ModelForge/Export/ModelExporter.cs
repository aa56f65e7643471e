using OnnxInterp.ModelForge.Models;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.ModelForge.Export;

/// <summary>Turns trained weights into the shipped ONNX files.</summary>
public static class ModelExporter
{
    public const string Opset17Suffix = "-opset17";
    public const string PastSuffix = "-past";
    public const string MergedSuffix = "-merged";
    public const string DynamoSuffix = "-dynamo";

    public static List<TensorProto> Initializers(TransformerWeights weights) =>
        weights.Snapshot().Select(p => TensorProtos.FromFloats(p.Name, p.Shape, p.Values)).ToList();

    /// <summary>One self-contained file (toy models), opset 14.</summary>
    public static void WriteSingle(TransformerWeights weights, string path, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var model = TransformerGraphWriter.Build(weights.Config, Initializers(weights), ExportOptions.Plain);
        AddMetadata(model, metadata);
        ModelIO.Save(model, path);
    }

    /// <summary>
    /// The five GPT-2 variants (<c>{name}.onnx</c> opset 14, <c>{name}-opset17.onnx</c>, <c>{name}-past.onnx</c>,
    /// <c>{name}-merged.onnx</c>, <c>{name}-dynamo.onnx</c>) sharing one external weight file <c>{name}.weights</c>.
    /// Returns the model paths.
    /// </summary>
    public static string[] WriteGpt2Variants(TransformerWeights weights, string folder, string name,
        IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        Directory.CreateDirectory(folder);
        var shared = SharedExternalData.Write(Initializers(weights), folder, name + ".weights");
        var variants = new (string Suffix, Func<ModelProto> Build)[]
        {
            ("", () => TransformerGraphWriter.Build(weights.Config, shared, ExportOptions.Plain)),
            (Opset17Suffix, () => TransformerGraphWriter.Build(weights.Config, shared, ExportOptions.LayerNormalizationOp)),
            (PastSuffix, () => TransformerGraphWriter.Build(weights.Config, shared, ExportOptions.Past)),
            (MergedSuffix, () => MergedDecoderWriter.Build(weights.Config, shared)),
            (DynamoSuffix, () => DynamoGraphWriter.Build(weights.Config, shared)),
        };
        var paths = new List<string>();
        foreach (var (suffix, build) in variants)
        {
            var model = build();
            AddMetadata(model, metadata);
            var path = Path.Combine(folder, name + suffix + ".onnx");
            ModelIO.Save(model, path);
            paths.Add(path);
        }
        return [.. paths];
    }

    static void AddMetadata(ModelProto model, IEnumerable<KeyValuePair<string, string>>? metadata)
    {
        foreach (var (key, value) in metadata ?? [])
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }
}
