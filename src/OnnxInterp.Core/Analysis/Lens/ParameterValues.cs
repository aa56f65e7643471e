using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Hooks.Weights;

namespace OnnxInterp.Analysis.Lens;

/// <summary>Reads the values of a recorded parameter (an initializer, possibly external data, or a Constant node's value) through <see cref="WeightValues"/>.</summary>
public static class ParameterValues
{
    /// <summary>The parameter's float values as stored (row-major over <see cref="ParameterRef.StoredAxes"/>) and its stored dimensions (float16, bfloat16 and double widened).</summary>
    public static (float[] Values, long[] Dims) Read(OnnxModel model, ParameterRef parameter) =>
        (WeightValues.Read(model, parameter.Tensor, out var dims), dims);

    /// <summary>The parameter of that name, or null when the hook map records none (e.g. a model without b_U).</summary>
    public static float[]? TryRead(HookedModel model, string name) =>
        model.Map.Parameters.TryGetValue(name, out var p) ? Read(model.Model, p).Values : null;
}
