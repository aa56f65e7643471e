using System.Text.Json.Nodes;

namespace OnnxInterp.Benchmarks.Report;

/// <summary>One result of a result file, as read back (extra stays JSON: each tool puts its own numbers there).</summary>
public sealed record ResultRow(string Measure, string Variant, int Batch, int Seq, double Seconds, int Reps, int? Variants, JsonObject Extra)
{
    public double? Number(string key) => ToolRun.Number(Extra[key]);

    public double[]? Numbers(string key) => Extra[key] is JsonArray a ? [.. a.Select(n => ToolRun.Number(n) ?? double.NaN)] : null;
}
