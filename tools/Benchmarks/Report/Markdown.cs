using System.Globalization;
using System.Text;

namespace OnnxInterp.Benchmarks.Report;

/// <summary>Markdown tables and the number formats every table of the report uses.</summary>
public static class Markdown
{
    public const string NotMeasured = "not measured";

    public static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        sb.Append('|').Append(string.Concat(headers.Select(_ => "---|"))).Append('\n');
        foreach (var row in rows) sb.Append("| ").Append(string.Join(" | ", row.Select(c => c.Replace("|", "\\|")))).Append(" |\n");
        return sb.ToString();
    }

    /// <summary>Seconds with 3 significant digits at least ("0.0381 s", "4.31 s", "52.3 s").</summary>
    public static string Seconds(double? s) => s is not { } v || double.IsNaN(v) ? NotMeasured
        : v >= 10 ? $"{v.ToString("F1", CultureInfo.InvariantCulture)} s"
        : v >= 1 ? $"{v.ToString("F2", CultureInfo.InvariantCulture)} s"
        : $"{v.ToString("G3", CultureInfo.InvariantCulture)} s";

    /// <summary>A ratio such as "2.31x".</summary>
    public static string Ratio(double? r) => r is not { } v || double.IsNaN(v) || double.IsInfinity(v) ? "–"
        : $"{v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture)}x";

    public static string Bytes(double? b) => b is not { } v ? NotMeasured
        : v >= 1 << 30 ? $"{(v / (1 << 30)).ToString("F2", CultureInfo.InvariantCulture)} GiB"
        : $"{(v / (1 << 20)).ToString("F1", CultureInfo.InvariantCulture)} MiB";

    public static string Number(double? x, string format = "G4") => x is not { } v ? "–" : v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Quotient of two optional numbers; null when either is missing or the divisor is 0.</summary>
    public static double? Over(double? a, double? b) => a is { } x && b is { } y && y != 0 ? x / y : null;
}
