using MathNet.Numerics.LinearAlgebra;
using OnnxInterp.Analysis.Circuits;

namespace OnnxInterp.Tests.Circuits;

/// <summary>Norms, singular values and eigenvalues through the factors agree with plain loops over the materialised product.</summary>
public class FactoredMatrixTests
{
    static double[,] Random(int rows, int cols, int seed)
    {
        var r = new Random(seed);
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i, j] = r.NextDouble() * 2 - 1;
        return m;
    }

    static FactoredMatrix Factored(double[,] a, double[,] b) => new(Matrix<double>.Build.DenseOfArray(a), Matrix<double>.Build.DenseOfArray(b));

    static double Trace(double[,] m)
    {
        double t = 0;
        for (int i = 0; i < m.GetLength(0); i++) t += m[i, i];
        return t;
    }

    [Fact]
    public void Frobenius_norm_and_entries_equal_those_of_the_product()
    {
        var (a, b) = (Random(9, 3, 1), Random(3, 7, 2));
        var product = RawWeights.Multiply(a, b);
        var f = Factored(a, b);
        Assert.Equal(RawWeights.Frobenius(product), f.FrobeniusNorm(), 1e-12);
        Assert.Equal(product[4, 5], f.At(4, 5), 1e-12);
        Assert.Equal(product[8, 6], f.Row(8)[6], 1e-12);
        Assert.Equal(product[2, 3], f.Transpose().At(3, 2), 1e-12);
    }

    [Fact]
    public void Singular_values_hold_the_squared_norm_and_the_largest_is_the_power_iteration_limit()
    {
        var (a, b) = (Random(11, 4, 3), Random(4, 6, 4));
        var p = RawWeights.Multiply(a, b);
        var s = Factored(a, b).SingularValues();
        Assert.Equal(4, s.Length);
        Assert.Equal(Math.Pow(RawWeights.Frobenius(p), 2), s.Sum(x => x * x), 1e-10);
        // Power iteration on pᵀp, plain loops.
        var ptp = RawWeights.Multiply(RawWeights.Transpose(p), p);
        var v = Enumerable.Repeat(1.0, 6).ToArray();
        double lambda = 0;
        for (int it = 0; it < 2000; it++)
        {
            var w = new double[6];
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++) w[i] += ptp[i, j] * v[j];
            lambda = Math.Sqrt(w.Sum(x => x * x));
            v = [.. w.Select(x => x / lambda)];
        }
        Assert.Equal(Math.Sqrt(lambda), s[0], 1e-8);
    }

    [Fact]
    public void Eigenvalues_of_a_low_rank_square_product_match_its_traces()
    {
        var (a, b) = (Random(8, 3, 5), Random(3, 8, 6));
        var p = RawWeights.Multiply(a, b);
        var eig = Factored(a, b).Eigenvalues();
        Assert.Equal(3, eig.Length);
        var sum = eig.Aggregate(System.Numerics.Complex.Zero, (x, y) => x + y);
        var squares = eig.Aggregate(System.Numerics.Complex.Zero, (x, y) => x + y * y);
        var cubes = eig.Aggregate(System.Numerics.Complex.Zero, (x, y) => x + y * y * y);
        Assert.Equal(Trace(p), sum.Real, 1e-10);
        Assert.Equal(0, sum.Imaginary, 1e-10);
        Assert.Equal(Trace(RawWeights.Multiply(p, p)), squares.Real, 1e-10);
        Assert.Equal(Trace(RawWeights.Multiply(RawWeights.Multiply(p, p), p)), cubes.Real, 1e-9);
    }

    [Fact]
    public void A_product_of_factored_matrices_keeps_the_smaller_inner_dimension_and_the_values()
    {
        var (a, b, c, d) = (Random(10, 2, 7), Random(2, 10, 8), Random(10, 5, 9), Random(5, 10, 10));
        var expected = RawWeights.Multiply(RawWeights.Multiply(a, b), RawWeights.Multiply(c, d));
        var product = Factored(a, b).Then(Factored(c, d));
        Assert.Equal(2, product.Inner);
        var m = product.Materialise();
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 10; j++) Assert.Equal(expected[i, j], m[i, j], 1e-12);
        Assert.Throws<InvalidOperationException>(() => product.Materialise(limit: 99));
    }

    [Fact]
    public void Copying_score_is_the_share_of_eigenvalue_mass_with_a_positive_real_part()
    {
        var score = CopyingScore.FromEigenvalues(0, 0, [new(3, 0), new(-1, 0), new(0, 2), new(0, -2)]);
        Assert.Equal(3.0 / 8, score.Score, 12);
        Assert.Equal(2.0 / 8, score.Ratio, 12);
    }
}
