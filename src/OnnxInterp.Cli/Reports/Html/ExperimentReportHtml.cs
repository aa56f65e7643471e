using System.Globalization;
using System.Net;
using System.Text;
using OnnxInterp.Cli.Experiments;

namespace OnnxInterp.Cli.Reports.Html;

/// <summary>
/// report.html: one self-contained page (heatmaps as inline PNG data, styles and script inline, nothing fetched) with what
/// ran and on what (tool version and commit, device, seed, model hashes), then per step its prompts, heatmaps, tables,
/// attention views and max-activating texts.
/// </summary>
public static class ExperimentReportHtml
{
    /// <param name="png">The PNG bytes of each step's grids, by <c>STEP-GRID</c> file stem.</param>
    public static string Render(ExperimentResults results, IReadOnlyDictionary<string, byte[]> png)
    {
        var title = $"Experiment {Path.GetFileName(results.SpecFile)}";
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append(Css).Append(AttentionViewHtml.Css).Append("</style>\n</head>\n<body>\n<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<table class=\"meta\">\n");
        Meta(html, "tool", $"{results.Tool} {results.Version}" + (results.Commit is { } c ? $" (commit {c})" : ""));
        Meta(html, "device", results.DeviceRequested == results.Device ? results.Device : $"{results.Device} (asked for {results.DeviceRequested})");
        Meta(html, "seed", results.Seed.ToString(CultureInfo.InvariantCulture));
        foreach (var m in results.Models) Meta(html, "model", $"{m.Path} (sha256 {m.Sha256[..16]}…)");
        Meta(html, "started", results.Started.ToString("u", CultureInfo.InvariantCulture) + $", {results.Seconds:0.0} s");
        html.Append("</table>\n<nav>");
        foreach (var s in results.Steps) html.Append("<a href=\"#step-").Append(E(s.Name)).Append("\">").Append(E(s.Name)).Append("</a> ");
        html.Append("</nav>\n");
        int views = 0;
        foreach (var step in results.Steps)
        {
            html.Append("<section id=\"step-").Append(E(step.Name)).Append("\">\n<h2>").Append(E(step.Name)).Append(" <span class=\"kind\">")
                .Append(E(step.Step)).Append(", ").Append(step.Seconds.ToString("0.00", CultureInfo.InvariantCulture)).Append(" s</span></h2>\n<p class=\"note\">model ")
                .Append(E(Path.GetFileName(step.Model))).Append(step.Seed is { } seed ? $", seed {seed}" : "").Append("</p>\n");
            Prompts(html, step);
            foreach (var grid in step.Grids)
            {
                var stem = $"{step.Name}-{grid.Name}";
                html.Append("<figure><img alt=\"").Append(E(grid.Grid.Title)).Append("\" src=\"data:image/png;base64,")
                    .Append(Convert.ToBase64String(png[stem])).Append("\"><figcaption>").Append(E(grid.Grid.Title))
                    .Append(grid.Grid.Caption is { } cap ? ". " + E(cap) : "").Append(" (").Append(E(stem)).Append(".csv)</figcaption></figure>\n");
            }
            foreach (var table in step.Tables)
                html.Append("<h3>").Append(E(table.Title)).Append("</h3>\n").Append(HtmlTable.Render(table.Header, table.Rows, $"{step.Name}-{table.Name}.csv"));
            if (step.Attention is { } view) html.Append("<h3>Attention patterns</h3>\n").Append(AttentionViewHtml.Render($"attention-{views++}", view));
            if (step.Texts is { Count: > 0 } texts) html.Append("<h3>Max-activating contexts</h3>\n").Append(TokenTextHtml.Render(texts));
            html.Append("</section>\n");
        }
        html.Append("<div id=\"tip\"></div>\n<script>\n").Append(AttentionViewHtml.Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    static void Prompts(StringBuilder html, StepResult step)
    {
        if (step.Prompts.Count == 0) return;
        html.Append("<details><summary>").Append(step.Prompts.Count).Append(" prompt").Append(step.Prompts.Count == 1 ? "" : "s").Append(" (tokens)</summary>\n<ul class=\"prompts\">\n");
        foreach (var p in step.Prompts.Take(50))
        {
            html.Append("<li><b>").Append(E(p.Role)).Append("</b> ");
            foreach (var t in p.Tokens) html.Append("<span class=\"tok\">").Append(E(t.Replace("\n", "\u21b5"))).Append("</span>");
            html.Append("</li>\n");
        }
        if (step.Prompts.Count > 50) html.Append("<li>… all ").Append(step.Prompts.Count).Append(" are in results.json</li>\n");
        html.Append("</ul></details>\n");
    }

    static void Meta(StringBuilder html, string key, string value) =>
        html.Append("<tr><th>").Append(E(key)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");

    static string E(string text) => WebUtility.HtmlEncode(text);

    const string Css = """
        body { font-family: system-ui, sans-serif; margin: 16px 24px; color: #222; max-width: 1400px; }
        h1 { font-size: 20px; } h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 3px; margin-top: 28px; }
        h3 { font-size: 14px; margin: 14px 0 6px; } h4 { font-size: 13px; margin: 8px 0 4px; font-family: monospace; }
        .kind { color: #666; font-weight: normal; font-size: 14px; }
        .note, .hint { color: #666; font-size: 13px; }
        table { border-collapse: collapse; font-size: 12px; }
        th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; }
        td.num { text-align: right; font-family: monospace; }
        table.meta th { background: #f4f4f4; }
        nav a { margin-right: 10px; font-size: 13px; }
        figure { margin: 10px 0; } figure img { max-width: 100%; border: 1px solid #eee; }
        figcaption { font-size: 12px; color: #555; }
        .tok { font-family: monospace; white-space: pre; border-radius: 2px; padding: 0 1px; }
        .prompts .tok { background: #eef; margin-right: 1px; }
        .tok.top { outline: 2px solid #000; }
        ol.maxact li { margin: 3px 0; font-size: 13px; }
        .value { display: inline-block; width: 60px; font-family: monospace; color: #444; }
        .legend .swatch { display: inline-block; padding: 0 6px; margin: 0 3px; border: 1px solid #ccc; font-size: 12px; }

        """;
}
