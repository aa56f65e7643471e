using System.Globalization;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>
/// The <c>-o DIR</c> files of <c>circuits</c>: circuits.json (the whole report), qk.csv / positional-qk.csv / ov.csv (top
/// entries, long form), composition-q|k|v.csv/.png (earlier head x later head grids, NaN where the layers do not
/// compose), copying.csv/.png (a layer x head grid).
/// </summary>
public static class CircuitsReportFiles
{
    public static IReadOnlyList<string> Write(string folder, CircuitsOutput report, int layers, int heads)
    {
        var files = new List<string> { ReportFiles.WriteJson(folder, "circuits", report) };
        foreach (var (name, rows) in new[] { ("qk", report.Qk), ("positional-qk", report.PositionalQk), ("ov", report.Ov) })
            if (rows is not null)
                files.Add(ReportFiles.WriteText(folder, name + ".csv", CsvText.Format(["head", "norm", "row", "row_text", "rank", "column", "column_text", "value"],
                    rows.SelectMany(h => h.Top.SelectMany(t => t.Columns.Select((col, i) => (IReadOnlyList<object?>)
                        [h.Head, h.Norm, t.Row, t.RowText, i + 1, col, t.ColumnTexts[i], t.Values[i]]))))));
        foreach (var kind in report.Composition ?? [])
        {
            var grid = CompositionGrid(kind, layers, heads);
            files.Add(ReportFiles.WriteText(folder, $"composition-{kind.Kind.ToLowerInvariant()}.csv", CsvText.Format(grid)));
            files.Add(ReportFiles.WritePng(folder, $"composition-{kind.Kind.ToLowerInvariant()}", grid));
        }
        if (report.Copying is { } copying)
        {
            var byHead = copying.ToDictionary(c => (c.Layer, c.HeadIndex), c => c.Score);
            var grid = GridResult.From("Copying score (share of positive OV eigenvalue mass)", "layer", "head",
                GridResult.Indices(layers), GridResult.Indices(heads), (l, h) => byHead.GetValueOrDefault((l, h), double.NaN), "copying score");
            files.Add(ReportFiles.WriteText(folder, "copying.csv", CsvText.Format(grid)));
            files.Add(ReportFiles.WritePng(folder, "copying", grid));
        }
        return files;
    }

    /// <summary>Rows: heads of layers 0..n-2 (the writers); columns: heads of layers 1..n-1 (the readers).</summary>
    public static GridResult CompositionGrid(CompositionKindRow kind, int layers, int heads)
    {
        var from = Labels(0, layers - 1, heads);
        var to = Labels(1, layers, heads);
        var scores = kind.Pairs.ToDictionary(p => (p.From, p.To), p => p.Score);
        return GridResult.From($"{kind.Kind}-composition (random baseline {kind.BaselineMean.ToString("0.000", CultureInfo.InvariantCulture)})",
            "earlier head (writes)", $"later head ({kind.Kind} input reads)", from, to,
            (r, c) => scores.GetValueOrDefault((from[r], to[c]), double.NaN), "composition score");
    }

    static List<string> Labels(int firstLayer, int endLayer, int heads) =>
        [.. Enumerable.Range(firstLayer, Math.Max(0, endLayer - firstLayer)).SelectMany(l => Enumerable.Range(0, heads).Select(h => $"L{l}H{h}"))];
}
