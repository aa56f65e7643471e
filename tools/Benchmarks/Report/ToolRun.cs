using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OnnxInterp.Benchmarks.Report;

/// <summary>
/// One tool's result file in the shared format (tools/bench/README.md), read leniently: unknown fields are ignored,
/// missing ones are empty, and the bare NaN/Infinity Python's json module writes read as null.
/// </summary>
public sealed record ToolRun(string Path, string Tool, string Device, int Threads, string Model, IReadOnlyDictionary<string, string> Versions,
    JsonObject? Machine, IReadOnlyList<ResultRow> Results, IReadOnlyList<string> Errors)
{
    public ToolKind Kind => Classify(Tool);

    /// <summary>"pytorch-eager (cpu)": the name a table column shows.</summary>
    public string Label => $"{Tool} ({Device})";

    public static ToolKind Classify(string tool)
    {
        var t = tool.ToLowerInvariant();
        return t.Contains("onnxinterp") || t.Contains("ort") && !t.Contains("torch") ? ToolKind.Ort
            : t.Contains("torchsharp") ? ToolKind.TorchSharp
            : t.Contains("torch") ? ToolKind.PyTorch
            : ToolKind.Other;
    }

    /// <summary>The result for a measure and variant (and batch, when given); null when the file has none.</summary>
    public ResultRow? Find(string measure, string variant, int? batch = null) =>
        Results.FirstOrDefault(r => r.Measure == measure && r.Variant == variant && (batch is null || r.Batch == batch));

    public static ToolRun Load(string path) => Parse(File.ReadAllText(path), path);

    public static ToolRun Parse(string json, string path = "")
    {
        var root = JsonNode.Parse(Sanitise(json)) as JsonObject ?? throw new FormatException($"{path}: not a JSON object.");
        var results = (root["results"] as JsonArray ?? []).OfType<JsonObject>().Select(r => new ResultRow(
            Text(r["measure"]) ?? "", Text(r["variant"]) ?? "", (int)(Number(r["batch"]) ?? 0), (int)(Number(r["seq"]) ?? 0),
            Number(r["seconds"]) ?? double.NaN, (int)(Number(r["reps"]) ?? 0), Number(r["variants"]) is { } v ? (int)v : null,
            r["extra"] as JsonObject ?? [])).ToList();
        var versions = (root["versions"] as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "");
        var errors = (root["errors"] as JsonArray ?? []).OfType<JsonObject>().Select(e => $"{Text(e["measure"])}: {Text(e["message"])}").ToList();
        return new ToolRun(path, Text(root["tool"]) ?? System.IO.Path.GetFileNameWithoutExtension(path), Text(root["device"]) ?? "cpu",
            (int)(Number(root["threads"]) ?? 0), Text(root["model"]) ?? "", versions, root["machine"] as JsonObject, results, errors);
    }

    public static double? Number(JsonNode? node) =>
        node is JsonValue v && (v.TryGetValue<double>(out var d) || double.TryParse(v.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out d))
            ? d : null;

    static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToString();

    /// <summary>Python's json writes NaN, Infinity and -Infinity bare; JSON has no such tokens, so they become null.</summary>
    static string Sanitise(string json) => Regex.Replace(json, @"(?<=[:\[,]\s*)(NaN|-?Infinity)(?=\s*[,\]}])", "null");
}
