using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Analysis.Lens;

/// <summary>Reads the values of a recorded parameter (an initializer, possibly external data, or a Constant node's value).</summary>
public static class ParameterValues
{
    /// <summary>The parameter's float values as stored (row-major over <see cref="ParameterRef.StoredAxes"/>) and its stored dimensions.</summary>
    public static (float[] Values, long[] Dims) Read(OnnxModel model, ParameterRef parameter)
    {
        var proto = Proto(model.Graph, parameter.Tensor)
            ?? throw new InvalidOperationException($"parameter {parameter.Name} is stored in '{parameter.Tensor}', which is neither an initializer nor a Constant's output.");
        return (TensorProtos.ReadFloats(proto, model.SourceFolder), [.. proto.Dims]);
    }

    /// <summary>The parameter of that name, or null when the hook map records none (e.g. a model without b_U).</summary>
    public static float[]? TryRead(HookedModel model, string name) =>
        model.Map.Parameters.TryGetValue(name, out var p) ? Read(model.Model, p).Values : null;

    static TensorProto? Proto(OnnxGraph graph, string tensor) => graph.ConstantTensor(tensor);
}
