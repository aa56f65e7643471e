using OnnxInterp.Graph;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Lens;

/// <summary>
/// The model's head, computed in C# from its own weights: the final LayerNorm (<c>ln_final.w</c>, <c>ln_final.b</c>,
/// epsilon read from the graph) and the unembedding (<c>W_U</c>, <c>b_U</c>). A model without a final LayerNorm
/// (the modular-addition model) maps the residual straight to logits. Vectors are float32; sums run in double.
/// </summary>
public sealed class Unembedding
{
    readonly float[] wU;
    readonly bool transposed;

    public Unembedding(int dModel, int vocab, float[] wU, bool transposed, float[]? bU, bool hasLayerNorm, float[]? lnWeight, float[]? lnBias, double epsilon)
    {
        if (wU.Length != (long)dModel * vocab)
            throw new ArgumentException($"W_U of d_model {dModel} x vocab {vocab} needs {(long)dModel * vocab} values but has {wU.Length}.", nameof(wU));
        DModel = dModel;
        Vocab = vocab;
        this.wU = wU;
        this.transposed = transposed;
        BU = bU;
        HasLayerNorm = hasLayerNorm;
        LnWeight = lnWeight;
        LnBias = lnBias;
        Epsilon = epsilon;
    }

    public int DModel { get; }
    public int Vocab { get; }
    public float[]? BU { get; }
    public bool HasLayerNorm { get; }
    public float[]? LnWeight { get; }
    public float[]? LnBias { get; }
    public double Epsilon { get; }

    /// <summary>Reads the weights the hook map records (W_U, b_U, ln_final.w/b) and the final LayerNorm's epsilon.</summary>
    public static Unembedding From(HookedModel model)
    {
        var map = model.Map;
        var wRef = map.Parameter("W_U");
        var (w, dims) = ParameterValues.Read(model.Model, wRef);
        if (dims.Length != 2) throw new InvalidOperationException($"W_U ('{wRef.Tensor}') has {dims.Length} dimensions; a matrix was expected.");
        int dModel = (int)(wRef.Transposed ? dims[1] : dims[0]), vocab = (int)(wRef.Transposed ? dims[0] : dims[1]);
        bool hasLn = map.Config.Normalization != "none" && map.Contains("ln_final.hook_scale");
        var lnW = hasLn ? ParameterValues.TryRead(model, "ln_final.w") : null;
        double eps = hasLn ? FinalEpsilon(model.Model.Graph, map) : 0;
        return new Unembedding(dModel, vocab, w, wRef.Transposed, ParameterValues.TryRead(model, "b_U"), hasLn, lnW,
            hasLn ? ParameterValues.TryRead(model, "ln_final.b") : null, eps);
    }

    /// <summary>The final LayerNorm of <paramref name="x"/> with its own statistics: ((x - mean) / sqrt(var + eps)) * w + b.</summary>
    public float[] Normalize(ReadOnlySpan<float> x, out double scale)
    {
        if (!HasLayerNorm)
        {
            scale = 1;
            return x.ToArray();
        }
        double mean = 0, variance = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        foreach (var v in x) variance += (v - mean) * (v - mean);
        scale = Math.Sqrt(variance / x.Length + Epsilon);
        return ApplyScale(x, scale, withBias: true);
    }

    /// <summary>
    /// The final LayerNorm with a given (cached) scale: (x - mean(x)) / scale * w, plus b when <paramref name="withBias"/>.
    /// Linear in x for a fixed scale, which is what direct logit attribution needs.
    /// </summary>
    public float[] ApplyScale(ReadOnlySpan<float> x, double scale, bool withBias)
    {
        if (!HasLayerNorm) return x.ToArray();
        double mean = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = (float)((x[i] - mean) / scale * (LnWeight?[i] ?? 1f) + (withBias ? LnBias?[i] ?? 0f : 0f));
        return y;
    }

    /// <summary>Logits of a normalized residual vector: h W_U + b_U.</summary>
    public float[] Logits(ReadOnlySpan<float> h)
    {
        var logits = new float[Vocab];
        if (transposed)
            for (int v = 0; v < Vocab; v++)
            {
                double sum = BU?[v] ?? 0;
                var row = wU.AsSpan(v * DModel, DModel);
                for (int i = 0; i < DModel; i++) sum += h[i] * row[i];
                logits[v] = (float)sum;
            }
        else
        {
            var acc = new double[Vocab];
            for (int i = 0; i < DModel; i++)
            {
                double hi = h[i];
                var row = wU.AsSpan(i * Vocab, Vocab);
                for (int v = 0; v < Vocab; v++) acc[v] += hi * row[v];
            }
            for (int v = 0; v < Vocab; v++) logits[v] = (float)(acc[v] + (BU?[v] ?? 0));
        }
        return logits;
    }

    /// <summary>The unembedding column of a token, W_U[:, token] (d_model values).</summary>
    public float[] Column(int token)
    {
        if (token < 0 || token >= Vocab) throw new ArgumentOutOfRangeException(nameof(token), token, $"token ids are 0..{Vocab - 1}.");
        var c = new float[DModel];
        for (int i = 0; i < DModel; i++) c[i] = transposed ? wU[token * DModel + i] : wU[i * Vocab + token];
        return c;
    }

    public float Bias(int token) => BU?[token] ?? 0f;

    /// <summary>
    /// Epsilon of the final LayerNorm: the attribute of a LayerNormalization node, or the scalar added to the variance in
    /// the decomposed form (<c>Sqrt(Add(ReduceMean(d^2), eps))</c>) that produces <c>ln_final.hook_scale</c>.
    /// </summary>
    static double FinalEpsilon(OnnxGraph graph, HookMap map)
    {
        if (map.Parameters.TryGetValue("ln_final.w", out var w))
            foreach (var n in graph.Consumers(w.Tensor).Where(n => n.OpType == "LayerNormalization"))
                return n.FloatAttribute("epsilon") ?? 1e-5;
        var scale = map.Get("ln_final.hook_scale").Tensor;
        if (graph.Producer(scale) is { OpType: "Sqrt" } sqrt && graph.Producer(sqrt.Inputs[0]) is { OpType: "Add" } add)
            foreach (var input in add.Inputs)
                if (ScalarValue(graph, input) is { } eps) return eps;
        throw new InvalidOperationException($"cannot find the final LayerNorm's epsilon: '{scale}' is not Sqrt(Add(variance, eps)) and no LayerNormalization reads ln_final.w.");
    }

    static double? ScalarValue(OnnxGraph graph, string tensor)
    {
        var proto = graph.ConstantTensor(tensor);
        if (proto is null || proto.Dims.Aggregate(1L, (a, b) => a * b) != 1) return null;
        return proto.DataType switch
        {
            (int)Onnx.Proto.TensorProto.Types.DataType.Float => Onnx.TensorProtos.ReadFloats(proto)[0],
            (int)Onnx.Proto.TensorProto.Types.DataType.Double => proto.DoubleData.Count > 0 ? proto.DoubleData[0] : BitConverter.ToDouble(proto.RawData.Span),
            _ => null,
        };
    }
}
