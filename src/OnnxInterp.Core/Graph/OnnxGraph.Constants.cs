using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Graph;

public sealed partial class OnnxGraph
{
    /// <summary>
    /// The value of a tensor fixed by the file: an initializer (not overridable as a graph input), a <c>Constant</c>
    /// node's value, or either passed through <c>Identity</c>, which is how torch.onnx shares one deduplicated
    /// parameter between layers (<c>h.1.ln_1.weight = Identity(h.0.ln_1.weight)</c>). Null when the value depends on
    /// the inputs.
    /// </summary>
    public TensorProto? ConstantTensor(string tensor)
    {
        for (int hops = 0; hops < 64 && tensor.Length > 0; hops++)
        {
            if (initializers.TryGetValue(tensor, out var init)) return inputs.Contains(tensor) ? null : init;
            switch (Producer(tensor))
            {
                case { OpType: "Constant" } c:
                    return c.Attribute("value")?.T;
                case { OpType: "Identity", Domain: "" or "ai.onnx" } identity:
                    tensor = identity.Inputs[0];
                    continue;
                default:
                    return null;
            }
        }
        return null;
    }
}
