using OnnxInterp.Graph;
using OnnxInterp.Onnx;

namespace OnnxInterp.Tests.Circuits;

/// <summary>Reads initializers by their name in the file, with plain TensorProtos calls: the independent side of the weight tests.</summary>
public static class RawWeights
{
    public static float[] Read(OnnxModel model, string initializer) =>
        TensorProtos.ReadFloats(model.Graph.Initializers[initializer], model.SourceFolder);

    public static long[] Dims(OnnxModel model, string initializer) => [.. model.Graph.Initializers[initializer].Dims];

    /// <summary>Columns [start, start + width) of a row-major [rows, cols] matrix.</summary>
    public static double[,] Columns(float[] m, int rows, int cols, int start, int width)
    {
        var r = new double[rows, width];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < width; j++) r[i, j] = m[i * cols + start + j];
        return r;
    }

    /// <summary>Rows [start, start + count) of a row-major [rows, cols] matrix.</summary>
    public static double[,] Rows(float[] m, int cols, int start, int count)
    {
        var r = new double[count, cols];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < cols; j++) r[i, j] = m[(start + i) * cols + j];
        return r;
    }

    public static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        Assert.Equal(k, b.GetLength(0));
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < k; t++)
            {
                double x = a[i, t];
                for (int j = 0; j < m; j++) c[i, j] += x * b[t, j];
            }
        return c;
    }

    public static double[,] Transpose(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) t[j, i] = a[i, j];
        return t;
    }

    public static double Frobenius(double[,] a)
    {
        double s = 0;
        foreach (var x in a) s += x * x;
        return Math.Sqrt(s);
    }

    public static void AssertEqual(double[,] expected, OnnxInterp.Hooks.Weights.WeightMatrix actual, string what)
    {
        Assert.Equal(expected.GetLength(0), actual.Rows);
        Assert.Equal(expected.GetLength(1), actual.Columns);
        for (int i = 0; i < actual.Rows; i++)
            for (int j = 0; j < actual.Columns; j++)
                Assert.True((float)expected[i, j] == actual[i, j], $"{what}[{i}, {j}]: expected {expected[i, j]}, got {actual[i, j]}");
    }
}
