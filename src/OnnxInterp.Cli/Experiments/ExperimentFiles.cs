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

    /// <summary>The files an earlier results.json in <paramref name="folder"/> lists (none when there is none or it cannot be read).</summary>
    public static IReadOnlyList<string> Listed(string folder)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "results.json")));
            return json.RootElement.TryGetProperty("files", out var files) && files.ValueKind == System.Text.Json.JsonValueKind.Array
                ? [.. files.EnumerateArray().Where(f => f.ValueKind == System.Text.Json.JsonValueKind.String).Select(f => Path.GetFullPath(f.GetString()!))]
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// A notice naming the files an earlier run wrote into the folder that this run did not (they stay, untouched, but
    /// results.json and report.html no longer describe them), or null when there are none.
    /// </summary>
    public static string? StaleNotice(string folder, IReadOnlyList<string> earlier, ExperimentResults written)
    {
        var now = (written.Files ?? []).Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var stale = earlier.Where(f => !now.Contains(f) && File.Exists(f)).Select(Path.GetFileName).ToList();
        return stale.Count == 0 ? null
            : $"{folder} still holds {stale.Count} file(s) an earlier run wrote and this one did not ({string.Join(", ", stale.Take(5))}{(stale.Count > 5 ? ", ..." : "")}); they are not part of these results: delete them or use a fresh folder.";
    }
}
