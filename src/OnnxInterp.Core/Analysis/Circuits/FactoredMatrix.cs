using System.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// A product <c>Left · Right</c> ([rows, inner] · [inner, columns]) kept as its two factors, as the Framework's circuits
/// are (W_E W_Q W_K^T W_E^T is vocab x vocab but has rank d_head). Norms, singular values and eigenvalues are computed
/// through the factors, at the cost of inner x inner problems; <see cref="Materialise"/> builds the product only when asked
/// and only when it is small. Immutable; products keep the smaller inner dimension.
/// </summary>
public sealed class FactoredMatrix
{
    /// <summary>The largest product <see cref="Materialise"/> builds (rows x columns), 16 M doubles = 128 MB.</summary>
    public const long MaterialiseLimit = 16L << 20;

    public FactoredMatrix(Matrix<double> left, Matrix<double> right)
    {
        if (left.ColumnCount != right.RowCount)
            throw new ArgumentException($"factors do not chain: left is {left.RowCount} x {left.ColumnCount}, right is {right.RowCount} x {right.ColumnCount}.");
        Left = left;
        Right = right;
    }

    public Matrix<double> Left { get; }
    public Matrix<double> Right { get; }
    public int Rows => Left.RowCount;
    public int Columns => Right.ColumnCount;
    public int Inner => Left.ColumnCount;

    /// <summary>This · m (the factor m joins the right side).</summary>
    public FactoredMatrix Then(Matrix<double> m) => new(Left, Right * m);

    /// <summary>m · this (the factor m joins the left side).</summary>
    public FactoredMatrix After(Matrix<double> m) => new(m * Left, Right);

    /// <summary>This · other, kept factored around the smaller of the two inner dimensions.</summary>
    public FactoredMatrix Then(FactoredMatrix other) =>
        Inner <= other.Inner ? new(Left, Right * other.Left * other.Right) : new(Left * Right * other.Left, other.Right);

    public FactoredMatrix Transpose() => new(Right.Transpose(), Left.Transpose());

    /// <summary>Entry (row, column) of the product: one dot product of length <see cref="Inner"/>.</summary>
    public double At(int row, int column)
    {
        double sum = 0;
        for (int k = 0; k < Inner; k++) sum += Left[row, k] * Right[k, column];
        return sum;
    }

    /// <summary>Row <paramref name="row"/> of the product (Columns values).</summary>
    public double[] Row(int row) => (Left.Row(row) * Right).ToArray();

    /// <summary>||Left · Right||_F from the inner Gram matrices: sum of (LᵀL) ∘ (R Rᵀ).</summary>
    public double FrobeniusNorm()
    {
        var gl = Left.TransposeThisAndMultiply(Left);
        var gr = Right.TransposeAndMultiply(Right);
        return Math.Sqrt(Math.Max(0, gl.PointwiseMultiply(gr).Enumerate().Sum()));
    }

    /// <summary>
    /// The nonzero-capable singular values, largest first (at most Inner of them): with thin QRs L = Q_L R_L and
    /// Rᵀ = Q_R R_R, L·R = Q_L (R_L R_Rᵀ) Q_Rᵀ has the singular values of the small R_L R_Rᵀ.
    /// </summary>
    public double[] SingularValues()
    {
        var rl = Triangle(Left);
        var rr = Triangle(Right.Transpose());
        return [.. (rl * rr.Transpose()).Svd(computeVectors: false).S.Enumerate().OrderByDescending(s => s)];
    }

    /// <summary>
    /// Eigenvalues of a square product, largest modulus first: the Inner eigenvalues of Right · Left, which are the product's
    /// eigenvalues apart from zeros (L·R and R·L share their nonzero spectrum).
    /// </summary>
    public Complex[] Eigenvalues()
    {
        if (Rows != Columns) throw new InvalidOperationException($"eigenvalues need a square matrix; this product is {Rows} x {Columns}.");
        return [.. (Right * Left).Evd().EigenValues.Enumerate().OrderByDescending(l => l.Magnitude)];
    }

    /// <summary>The product as a dense matrix; refuses products over <see cref="MaterialiseLimit"/> entries.</summary>
    public Matrix<double> Materialise(long limit = MaterialiseLimit)
    {
        if ((long)Rows * Columns > limit)
            throw new InvalidOperationException($"a {Rows} x {Columns} product has {(long)Rows * Columns} entries, more than the limit {limit}; read rows or entries instead.");
        return Left * Right;
    }

    /// <summary>R of a thin QR; a matrix wider than tall is its own R (Q = I).</summary>
    static Matrix<double> Triangle(Matrix<double> m) =>
        m.RowCount >= m.ColumnCount ? m.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin).R : m;
}
