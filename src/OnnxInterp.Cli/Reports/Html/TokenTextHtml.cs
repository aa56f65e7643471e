using System.Globalization;
using System.Net;
using System.Text;
using OnnxInterp.Cli.Experiments;

namespace OnnxInterp.Cli.Reports.Html;

/// <summary>
/// Max-activating contexts as text, each token's background shaded by its activation (as CircuitsVis's colored tokens):
/// red for positive, blue for negative, scaled by the target's largest activation; the top token is outlined, and hovering
/// a token shows its value.
/// </summary>
public static class TokenTextHtml
{
    /// <summary>A page of its own (<c>maxact --html</c>): the title and the coloured contexts, self-contained.</summary>
    public static string Page(string title, IReadOnlyList<TokenActivationText> texts) =>
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + WebUtility.HtmlEncode(title) + "</title>\n<style>\n" + PageCss
        + "</style>\n</head>\n<body>\n<h1>" + WebUtility.HtmlEncode(title) + "</h1>\n<p class=\"note\">hover a token for its activation; the outlined token ranked</p>\n"
        + Render(texts) + "</body>\n</html>\n";

    const string PageCss = """
        body { font-family: system-ui, sans-serif; margin: 16px 24px; color: #222; }
        h1 { font-size: 18px; } h4 { font-size: 13px; margin: 10px 0 4px; font-family: monospace; }
        .note { color: #666; font-size: 13px; }
        .tok { font-family: monospace; white-space: pre; border-radius: 2px; padding: 0 1px; }
        .tok.top { outline: 2px solid #000; }
        ol.maxact li { margin: 3px 0; font-size: 13px; }
        .value { display: inline-block; width: 60px; font-family: monospace; color: #444; }
        .legend .swatch { display: inline-block; padding: 0 6px; margin: 0 3px; border: 1px solid #ccc; font-size: 12px; }

        """;

    public static string Render(IReadOnlyList<TokenActivationText> texts)
    {
        var html = new StringBuilder();
        html.Append("<div class=\"legend\">activation: <span class=\"swatch\" style=\"background:rgba(30,90,220,0.8)\">negative</span>")
            .Append("<span class=\"swatch\">0</span><span class=\"swatch\" style=\"background:rgba(220,40,40,0.8)\">the target's maximum</span></div>\n");
        foreach (var group in texts.GroupBy(t => t.Target))
        {
            html.Append("<h4>").Append(WebUtility.HtmlEncode(group.Key)).Append("</h4>\n<ol class=\"maxact\">\n");
            foreach (var t in group)
            {
                html.Append("<li><span class=\"value\">").Append(t.Activations[t.Highlight].ToString("0.000", CultureInfo.InvariantCulture)).Append("</span> ");
                for (int i = 0; i < t.Tokens.Count; i++)
                {
                    double v = t.Activations[i], share = t.Max > 0 ? Math.Clamp(Math.Abs(v) / t.Max, 0, 1) : 0;
                    var colour = v >= 0 ? "220,40,40" : "30,90,220";
                    html.Append("<span class=\"tok").Append(i == t.Highlight ? " top" : "").Append("\" style=\"background:rgba(").Append(colour).Append(',')
                        .Append((0.85 * share).ToString("0.###", CultureInfo.InvariantCulture)).Append(")\" title=\"")
                        .Append(v.ToString("0.0000", CultureInfo.InvariantCulture)).Append("\">")
                        .Append(WebUtility.HtmlEncode(t.Tokens[i].Replace("\n", "\u21b5"))).Append("</span>");
                }
                html.Append("</li>\n");
            }
            html.Append("</ol>\n");
        }
        return html.ToString();
    }
}
