using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Graph;

/// <summary>
/// What a model file declares, read without running it: format and producer, opset imports, the operators
/// of its main graph (nodes inside If/Loop bodies are not counted), and the size of its weights.
/// </summary>
public sealed record ModelSummary(
    long IrVersion,
    string Producer,
    string ProducerVersion,
    IReadOnlyDictionary<string, long> Opsets,
    int NodeCount,
    IReadOnlyDictionary<string, int> OpHistogram,
    int InitializerCount,
    long InitializerBytes,
    bool HasExternalData)
{
    public static ModelSummary Of(OnnxModel model)
    {
        var header = model.Header;
        var graph = model.Graph;
        // A domain listed twice: ONNX Runtime uses the last entry (measured), so the summary does too.
        var opsets = header.OpsetImport.GroupBy(o => o.Domain.Length == 0 ? "ai.onnx" : o.Domain).ToDictionary(g => g.Key, g => g.Last().Version);
        var histogram = graph.Nodes
            .GroupBy(n => n.Domain.Length == 0 || n.Domain == "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}")
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        return new ModelSummary(header.IrVersion, header.ProducerName, header.ProducerVersion, opsets, graph.Nodes.Count, histogram,
            graph.Initializers.Count, graph.Initializers.Values.Sum(Bytes), model.HasExternalData);
    }

    /// <summary>Bytes of a tensor's values whatever way they are stored (raw, typed fields, external file).</summary>
    static long Bytes(TensorProto t)
    {
        if (t.DataType == (int)ElementType.String) return t.StringData.Sum(s => (long)s.Length);
        long count = t.Dims.Aggregate(1L, (a, b) => a * b);
        return count * ((ElementType)t.DataType switch
        {
            ElementType.Double or ElementType.Int64 or ElementType.UInt64 or ElementType.Complex64 => 8,
            ElementType.Complex128 => 16,
            ElementType.Float or ElementType.Int32 or ElementType.UInt32 => 4,
            ElementType.Float16 or ElementType.BFloat16 or ElementType.Int16 or ElementType.UInt16 => 2,
            _ => 1,
        });
    }
}
