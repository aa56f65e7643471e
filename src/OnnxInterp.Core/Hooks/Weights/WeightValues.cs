using System.Runtime.InteropServices;
using OnnxInterp.Graph;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Hooks.Weights;

/// <summary>
/// Reads a stored weight as float32, whatever its element type (float, float16, bfloat16, double) and wherever it lives
/// (an initializer, a Constant node's value, external data beside the model).
/// </summary>
public static class WeightValues
{
    /// <summary>The tensor's values, row-major over <paramref name="dims"/> as stored.</summary>
    public static float[] Read(OnnxModel model, string tensor, out long[] dims)
    {
        var proto = Proto(model.Graph, tensor)
            ?? throw new HookMapException($"weight tensor '{tensor}' is neither an initializer nor a Constant's output, so it cannot be read without running the model.");
        dims = [.. proto.Dims];
        return Decode(proto, model.SourceFolder);
    }

    /// <summary>The stored dims, without reading the values.</summary>
    public static long[] Dims(OnnxModel model, string tensor) =>
        Proto(model.Graph, tensor) is { } p ? [.. p.Dims]
        : throw new HookMapException($"weight tensor '{tensor}' is neither an initializer nor a Constant's output.");

    /// <summary>The element type's name as ONNX spells it (FLOAT, FLOAT16, ...), for tables.</summary>
    public static string TypeName(OnnxModel model, string tensor) =>
        Proto(model.Graph, tensor) is { } p ? ((TensorProto.Types.DataType)p.DataType).ToString().ToUpperInvariant() : "?";

    public static float[] Decode(TensorProto t, string? modelFolder)
    {
        var type = (TensorProto.Types.DataType)t.DataType;
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                return TensorProtos.ReadFloats(t, modelFolder);
            case TensorProto.Types.DataType.Double when t.DoubleData.Count > 0:
                return [.. t.DoubleData.Select(v => (float)v)];
            // float16 and bfloat16 without raw data keep their 16 bits in int32_data (ONNX's rule).
            case TensorProto.Types.DataType.Float16 when t.Int32Data.Count > 0:
                return [.. t.Int32Data.Select(bits => (float)BitConverter.UInt16BitsToHalf((ushort)bits))];
            case TensorProto.Types.DataType.Bfloat16 when t.Int32Data.Count > 0:
                return [.. t.Int32Data.Select(bits => BFloat16((ushort)bits))];
        }
        var bytes = t.DataLocation == TensorProto.Types.DataLocation.External
            ? ExternalData.ReadRaw(t, modelFolder ?? throw new InvalidOperationException($"'{t.Name}' is external data: the model folder is needed."))
            : t.RawData.ToByteArray();
        return type switch
        {
            TensorProto.Types.DataType.Double => [.. MemoryMarshal.Cast<byte, double>(bytes).ToArray().Select(v => (float)v)],
            TensorProto.Types.DataType.Float16 => [.. MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(v => (float)v)],
            TensorProto.Types.DataType.Bfloat16 => [.. MemoryMarshal.Cast<byte, ushort>(bytes).ToArray().Select(BFloat16)],
            _ => throw new HookMapException($"weight '{t.Name}' has element type {type}; only float, float16, bfloat16 and double weights can be read."),
        };
    }

    static float BFloat16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>An initializer (also one a graph input may override: its stored default), else what <see cref="OnnxGraph.ConstantTensor"/> finds (a Constant, through Identity chains).</summary>
    static TensorProto? Proto(OnnxGraph graph, string tensor) =>
        graph.Initializers.TryGetValue(tensor, out var init) ? init : graph.ConstantTensor(tensor);
}
