namespace OnnxInterp.Hooks.Weights;

/// <summary>
/// A weight in TransformerLens orientation, row-major: [in, out] for a matrix (x @ W), [1, n] for a vector.
/// <see cref="Values"/> is the caller's own copy.
/// </summary>
public sealed record WeightMatrix(string Name, int Rows, int Columns, float[] Values)
{
    public float this[int row, int column] => Values[row * Columns + column];

    /// <summary>Columns <paramref name="start"/> .. start + width - 1 (one head's share of W_Q, W_K, W_V).</summary>
    public WeightMatrix SliceColumns(int start, int width, string name)
    {
        var v = new float[Rows * width];
        for (int r = 0; r < Rows; r++) Array.Copy(Values, r * Columns + start, v, r * width, width);
        return new WeightMatrix(name, Rows, width, v);
    }

    /// <summary>Rows <paramref name="start"/> .. start + count - 1 (one head's share of W_O).</summary>
    public WeightMatrix SliceRows(int start, int count, string name) =>
        new(name, count, Columns, Values.AsSpan(start * Columns, count * Columns).ToArray());
}
