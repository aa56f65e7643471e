using System.Globalization;
using System.Net;
using System.Text;
using OnnxInterp.Cli.Experiments;

namespace OnnxInterp.Cli.Reports.Html;

/// <summary>
/// A page of its own for one <see cref="AttentionView"/> (<c>heads --html</c>): the title, the first sequence's tokens, and
/// the view with its sequence selector, head checkboxes and legend. Self-contained: nothing is fetched.
/// </summary>
public static class AttentionPageHtml
{
    public static string Render(string title, AttentionView view)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title))
            .Append("</title>\n<style>\n").Append(Css).Append(AttentionViewHtml.Css).Append("</style>\n</head>\n<body>\n<h1>")
            .Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
        var tokens = view.Sequences[0].Tokens;
        html.Append("<p class=\"tokens\">sequence 1: ").Append(tokens.Count.ToString(CultureInfo.InvariantCulture)).Append(" tokens: ");
        for (int i = 0; i < tokens.Count; i++)
            html.Append("<span title=\"position ").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\">")
                .Append(WebUtility.HtmlEncode(tokens[i].Replace("\n", "\u21b5").Replace(" ", "\u00b7"))).Append("</span>");
        html.Append("</p>\n").Append(AttentionViewHtml.Render("attention", view))
            .Append("<div id=\"tip\"></div>\n<script>\n").Append(AttentionViewHtml.Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    const string Css = """
        body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
        h1 { font-size: 18px; margin: 0 0 8px; }
        .tokens span { background: #eef; margin: 0 2px; padding: 0 2px; border-radius: 3px; font-family: monospace; }
        .controls, .hint { font-size: 13px; } .hint { color: #666; }

        """;
}
