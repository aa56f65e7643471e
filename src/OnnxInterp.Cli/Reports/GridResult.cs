namespace OnnxInterp.Cli.Reports;

/// <summary>
/// A labelled 2-D result (layer x position, layer x head, ...): what every grid-shaped verb reports and what
/// <see cref="ReportFiles.WriteGrid"/> turns into JSON, CSV and a PNG heatmap. <c>Values[r][c]</c> belongs to
/// row label <c>r</c> and column label <c>c</c>; NaN marks a cell that was not computed.
/// </summary>
public sealed record GridResult(
    string Title,
    string RowAxis,
    string ColumnAxis,
    IReadOnlyList<string> RowLabels,
    IReadOnlyList<string> ColumnLabels,
    double[][] Values,
    string? ValueLabel = null)
{
    /// <summary>A colour scale fixed for this metric (the heatmap says so); null scales to the values.</summary>
    public GridRange? FixedRange { get; init; }

    /// <summary>A line under the heatmap saying what was run (model, prompt); null for none.</summary>
    public string? Caption { get; init; }

    public int Rows => RowLabels.Count;
    public int Columns => ColumnLabels.Count;

    /// <summary>Builds a grid from a function of (row, column), checking nothing is missing.</summary>
    public static GridResult From(string title, string rowAxis, string columnAxis, IReadOnlyList<string> rowLabels,
        IReadOnlyList<string> columnLabels, Func<int, int, double> value, string? valueLabel = null) =>
        new GridResult(title, rowAxis, columnAxis, rowLabels, columnLabels,
            [.. Enumerable.Range(0, rowLabels.Count).Select(r => Enumerable.Range(0, columnLabels.Count).Select(c => value(r, c)).ToArray())],
            valueLabel).Checked();

    /// <summary>Throws when the values do not match the labels: rows x columns, every row the same length.</summary>
    public GridResult Checked()
    {
        if (Values.Length != RowLabels.Count)
            throw new ArgumentException($"grid '{Title}': {RowLabels.Count} row labels but {Values.Length} rows of values.");
        for (int r = 0; r < Values.Length; r++)
            if (Values[r].Length != ColumnLabels.Count)
                throw new ArgumentException($"grid '{Title}': row {r} ({RowLabels[r]}) has {Values[r].Length} values but there are {ColumnLabels.Count} column labels.");
        return this;
    }

    /// <summary>Numeric labels 0..n-1, the usual labels of layers, heads and positions.</summary>
    public static IReadOnlyList<string> Indices(int count, string prefix = "") =>
        [.. Enumerable.Range(0, count).Select(i => prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
