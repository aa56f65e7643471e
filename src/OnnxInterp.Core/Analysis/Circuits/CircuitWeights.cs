using MathNet.Numerics.LinearAlgebra;
using OnnxInterp.Hooks;
using OnnxInterp.Hooks.Weights;

namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// The weights the Framework's circuits multiply, as double matrices in TransformerLens orientation, read from the model
/// file through <see cref="ModelWeights"/>. With <see cref="FoldLayerNorm"/> each LayerNorm's linear part, the centring
/// P = I - 11ᵀ/d_model and the weight w, is folded into the matrices that read the normalised stream (P diag(ln1.w) W_Q,
/// W_K, W_V; P diag(ln_final.w) W_U), which is what TransformerLens's fold_ln plus center_writing_weights do to these
/// products; the per-token division by the standard deviation is no weight and stays out;
/// <see cref="Folded"/> lists what was folded. Biases are not part of the circuits.
/// </summary>
public sealed class CircuitWeights
{
    readonly ModelWeights weights;
    readonly Dictionary<string, Matrix<double>> cache = new(StringComparer.Ordinal);
    readonly List<string> folded = [];

    public CircuitWeights(HookedModel model, bool foldLayerNorm = false)
    {
        weights = new ModelWeights(model);
        FoldLayerNorm = foldLayerNorm;
    }

    public HookConfig Config => weights.Config;
    public bool FoldLayerNorm { get; }
    /// <summary>What was folded, e.g. "blocks.0.ln1.w into blocks.0.attn.W_Q, W_K, W_V"; empty unless folding found weights.</summary>
    public IReadOnlyList<string> Folded => folded;

    public bool Has(string name) => weights.Has(name);

    public Matrix<double> WE => Get("W_E", () => ToMatrix(weights.Matrix("W_E")));

    public Matrix<double> WPos => Get("W_pos", () => ToMatrix(weights.Matrix("W_pos")));

    public Matrix<double> WU => Get("W_U", () => Fold(ToMatrix(weights.Matrix("W_U")), "ln_final.w", "W_U"));

    /// <summary>One head's W_Q, W_K, W_V [d_model, d_head] (ln1.w folded in when asked) and W_O [d_head, d_model].</summary>
    public (Matrix<double> Q, Matrix<double> K, Matrix<double> V, Matrix<double> O) Head(int layer, int head)
    {
        var key = $"head {layer}.{head}";
        var parts = new Matrix<double>[4];
        HeadWeights? h = null;
        HeadWeights Read() => h ??= weights.Head(layer, head);
        parts[0] = Get(key + " Q", () => Fold(ToMatrix(Read().WQ), $"blocks.{layer}.ln1.w", $"blocks.{layer}.attn.W_Q, W_K, W_V"));
        parts[1] = Get(key + " K", () => Fold(ToMatrix(Read().WK), $"blocks.{layer}.ln1.w", null));
        parts[2] = Get(key + " V", () => Fold(ToMatrix(Read().WV), $"blocks.{layer}.ln1.w", null));
        parts[3] = Get(key + " O", () => ToMatrix(Read().WO));
        return (parts[0], parts[1], parts[2], parts[3]);
    }

    /// <summary>W_Q W_Kᵀ [d_model, d_model] as factors: the bilinear form of query residual and key residual.</summary>
    public FactoredMatrix QK(int layer, int head)
    {
        var h = Head(layer, head);
        return new FactoredMatrix(h.Q, h.K.Transpose());
    }

    /// <summary>W_V W_O [d_model, d_model] as factors: what the head writes for a residual vector it attends to.</summary>
    public FactoredMatrix OV(int layer, int head)
    {
        var h = Head(layer, head);
        return new FactoredMatrix(h.V, h.O);
    }

    Matrix<double> Get(string key, Func<Matrix<double>> make)
    {
        if (!cache.TryGetValue(key, out var m)) cache[key] = m = make();
        return m;
    }

    /// <summary>diag(w) · m when folding and the map records the LayerNorm weight w; records the fold once per layer.</summary>
    Matrix<double> Fold(Matrix<double> m, string lnWeight, string? into)
    {
        if (!FoldLayerNorm || weights.VectorOrNull(lnWeight) is not { } w) return m;
        if (w.Length != m.RowCount)
            throw new HookMapException($"{lnWeight} has {w.Length} values but the matrix it folds into has {m.RowCount} rows.");
        if (into is not null && !folded.Contains($"{lnWeight} (centring and scale) into {into}")) folded.Add($"{lnWeight} (centring and scale) into {into}");
        // LayerNorm subtracts the mean over d_model (x P, P = I - 11ᵀ/d) then scales by w: both are linear maps of the
        // residual, so P diag(w) joins the matrix; only the per-token 1/σ stays outside.
        var scaled = Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (r, c) => w[r] * m[r, c]);
        var columnMeans = scaled.ColumnSums() / m.RowCount;
        return Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (r, c) => scaled[r, c] - columnMeans[c]);
    }

    static Matrix<double> ToMatrix(WeightMatrix w) =>
        Matrix<double>.Build.Dense(w.Rows, w.Columns, (r, c) => w.Values[r * w.Columns + c]);
}
