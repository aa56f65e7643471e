using System.Globalization;
using System.Net;
using System.Text;

namespace OnnxInterp.Cli.Reports.Html;

/// <summary>A table as HTML: header, rows (numbers right-aligned, to 5 significant digits), cut at <c>maxRows</c> with a note pointing at the CSV.</summary>
public static class HtmlTable
{
    public static string Render(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<object?>> rows, string csvName, int maxRows = 100)
    {
        var html = new StringBuilder("<table>\n<thead><tr>");
        foreach (var h in header) html.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows.Take(maxRows))
        {
            html.Append("<tr>");
            foreach (var cell in row)
                html.Append(cell is double or float or int or long ? "<td class=\"num\">" : "<td>").Append(WebUtility.HtmlEncode(Format(cell))).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (rows.Count > maxRows)
            html.Append("<p class=\"note\">").Append(maxRows).Append(" of ").Append(rows.Count).Append(" rows shown; all are in ")
                .Append(WebUtility.HtmlEncode(csvName)).Append(".</p>\n");
        return html.ToString();
    }

    public static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G5", CultureInfo.InvariantCulture),
        float f => f.ToString("G5", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
