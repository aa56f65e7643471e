using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Weights;

/// <summary>
/// The weights a hook map records, read straight from the model file (no forward pass) in TransformerLens orientation:
/// transposed storage (Gemm transB, MatMul of a Transpose, a tied unembedding) is undone, a fused q/k/v projection is
/// cut to its columns, 16-bit weights are widened to float32. Each stored tensor is read once and kept.
/// </summary>
public sealed class ModelWeights
{
    readonly Dictionary<string, (float[] Values, long[] Dims)> stored = new(StringComparer.Ordinal);

    public ModelWeights(HookedModel model)
    {
        Model = model;
    }

    public HookedModel Model { get; }
    public HookMap Map => Model.Map;
    public HookConfig Config => Model.Map.Config;

    public bool Has(string name) => Map.Parameters.ContainsKey(name);

    /// <summary>A matrix parameter as [in, out] (W_E and W_pos as [rows, d_model]); fails naming the parameter when the map has none.</summary>
    public WeightMatrix Matrix(string name)
    {
        var p = Map.Parameter(name);
        var (values, dims) = Stored(p.Tensor);
        if (dims.Length != 2)
            throw new HookMapException($"{name} is stored in '{p.Tensor}' with shape [{string.Join(", ", dims)}]; a matrix was expected.");
        int rows = (int)dims[0], cols = (int)dims[1];
        var m = p.Transposed ? Transpose(name, values, rows, cols) : new WeightMatrix(name, rows, cols, (float[])values.Clone());
        if (p.Columns is { } c)
        {
            if (c.End > m.Columns)
                throw new HookMapException($"{name}: {c} lie outside '{p.Tensor}', which has {m.Columns} output features.");
            m = m.SliceColumns((int)c.Start, (int)c.Width, name);
        }
        return m;
    }

    /// <summary>A vector parameter (bias, LayerNorm weight), cut to its columns; null when the map records none.</summary>
    public float[]? VectorOrNull(string name)
    {
        if (!Map.Parameters.TryGetValue(name, out var p)) return null;
        var (values, dims) = Stored(p.Tensor);
        if (dims.Length != 1 && values.Length != dims.LastOrDefault())
            throw new HookMapException($"{name} is stored in '{p.Tensor}' with shape [{string.Join(", ", dims)}]; a vector was expected.");
        return p.Columns is { } c ? values.AsSpan((int)c.Start, (int)c.Width).ToArray() : (float[])values.Clone();
    }

    /// <summary>
    /// One head's W_Q, W_K, W_V, W_O and biases. Fails naming the layer, the head and what the graph holds where the
    /// projection was expected, when the recogniser could not find one of them.
    /// </summary>
    public HeadWeights Head(int layer, int head)
    {
        if (layer < 0 || layer >= Config.NLayers || head < 0 || head >= Config.NHeads)
            throw new ArgumentOutOfRangeException(nameof(head), $"L{layer}H{head} does not exist: the model has {Config.NLayers} layers of {Config.NHeads} heads.");
        int d = Config.DHead;
        WeightMatrix Part(string letter)
        {
            var name = $"blocks.{layer}.attn.W_{letter}";
            if (!Has(name)) throw new HookMapException(MissingWeights.Explain(Model, layer, head, letter));
            var m = Matrix(name);
            int width = letter == "O" ? m.Rows : m.Columns;
            if (width != Config.NHeads * d)
                throw new HookMapException($"{name} has {width} {(letter == "O" ? "rows" : "columns")} but n_heads {Config.NHeads} x d_head {d} = {Config.NHeads * d} were expected; check the hook map's config or the parameter's columns.");
            var perHead = $"{name}[{head}]";
            return letter == "O" ? m.SliceRows(head * d, d, perHead) : m.SliceColumns(head * d, d, perHead);
        }
        float[]? Bias(string letter) => VectorOrNull($"blocks.{layer}.attn.b_{letter}")?.AsSpan(head * d, d).ToArray();
        return new HeadWeights(layer, head, Part("Q"), Part("K"), Part("V"), Part("O"), Bias("Q"), Bias("K"), Bias("V"),
            VectorOrNull($"blocks.{layer}.attn.b_O"));
    }

    (float[] Values, long[] Dims) Stored(string tensor)
    {
        if (!stored.TryGetValue(tensor, out var v))
        {
            var values = WeightValues.Read(Model.Model, tensor, out var dims);
            stored[tensor] = v = (values, dims);
        }
        return v;
    }

    static WeightMatrix Transpose(string name, float[] values, int rows, int cols)
    {
        var t = new float[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                t[c * rows + r] = values[r * cols + c];
        return new WeightMatrix(name, cols, rows, t);
    }
}
