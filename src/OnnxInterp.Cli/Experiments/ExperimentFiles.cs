using OnnxInterp.Cli.Reports;
using OnnxInterp.Cli.Reports.Html;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// Writes an experiment's folder: a CSV per table and per grid and a PNG per grid (<c>STEP-NAME.csv/.png</c>),
/// report.html, and last results.json listing them all. Every file is written atomically.
/// </summary>
internal static class ExperimentFiles
{
    public static ExperimentResults Write(ExperimentResults results, string folder)
    {
        var files = new List<string>();
        var png = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var step in results.Steps)
        {
            files.AddRange(step.Files ?? []);
            foreach (var table in step.Tables)
                files.Add(ReportFiles.WriteText(folder, $"{step.Name}-{table.Name}.csv", CsvText.Format(table.Header, table.Rows)));
            foreach (var grid in step.Grids)
            {
                var stem = $"{step.Name}-{grid.Name}";
                files.Add(ReportFiles.WriteText(folder, stem + ".csv", CsvText.Format(grid.Grid)));
                var bytes = png[stem] = GridHeatmap.Png(grid.Grid);
                var path = Path.Combine(folder, stem + ".png");
                Onnx.AtomicFile.Write(path, s => s.Write(bytes));
                files.Add(path);
            }
        }
        files.Add(Path.Combine(folder, "report.html"));
        files.Add(Path.Combine(folder, "results.json"));
        var final = results with { Files = files };
        ReportFiles.WriteText(folder, "report.html", ExperimentReportHtml.Render(final, png));
        ReportFiles.WriteJson(folder, "results", final);
        return final;
    }
}
