using System.Globalization;

namespace OnnxInterp.Benchmarks.Report;

/// <summary>
/// The issue's targets, each checked on the primary ORT run and the baselines: met, missed and by how much, or not
/// measured (a file or result is absent).
/// </summary>
public static class Targets
{
    public static IReadOnlyList<TargetCheck> Check(ReportInputs inputs)
    {
        var (ort, torch, sharp) = (inputs.Ort, inputs.PyTorch, inputs.TorchSharp);
        double? Seconds(ToolRun? run, string measure, string variant) => run?.Find(measure, variant)?.Seconds;
        var checks = new List<TargetCheck>();

        var plain = Seconds(ort, "hooks.exposed", "plain");
        var logitsOnly = Seconds(ort, "hooks.exposed", "exposed.logits");
        var all = Seconds(ort, "hooks.exposed", "exposed.all");
        checks.Add(AtMost("every standard hook exposed <= 1.03x the plain forward", Markdown.Over(all, plain), 1.03,
            $"graph change (same session, logits only) {Markdown.Ratio(Markdown.Over(logitsOnly, plain))}, copy-out of every hook {Markdown.Ratio(Markdown.Over(all, logitsOnly))}"));

        var inactivePlain = Seconds(ort, "patchpoints.inactive", "plain");
        foreach (var (variant, label) in new[] { ("resid_pre", "the resid_pre sweep's sites"), ("all-hooks", "every standard hook") })
        {
            var row = ort?.Find("patchpoints.inactive", variant);
            checks.Add(AtMost($"inactive patch points ({label}) <= 1.01x the plain forward", Markdown.Over(row?.Seconds, inactivePlain), 1.01,
                row is null ? "" : $"{Markdown.Number(row.Number("points"), "F0")} write points; logits max abs diff to plain {Markdown.Number(row.Number("logitsMaxAbsDiffToPlain"))}"));
        }

        // The sweep as `onnxinterp patch` reports it after loading: the first plan (type probe, rewrite, session, runs).
        var sweep = ort?.Find("sweep.resid_pre", "batched");
        var patch = sweep?.Number("firstSeconds") ?? sweep?.Seconds;
        string patchNote = sweep is null ? "" : $"onnxinterp patch (first plan) {Markdown.Seconds(patch)}";
        var torchLoop = Seconds(torch, "sweep.resid_pre", "loop");
        var torchBatched = Seconds(torch, "sweep.resid_pre", "batched");
        var sharpBatched = Seconds(sharp, "sweep.resid_pre", "batched");
        checks.Add(AtLeast("resid_pre sweep >= 25x faster than the PyTorch eager hook loop", Markdown.Over(torchLoop, patch), 25,
            Join(patchNote, torchLoop is null ? "" : $"PyTorch loop {Markdown.Seconds(torchLoop)}"), torch is null ? "pytorch-eager" : null));
        checks.Add(AtLeast("resid_pre sweep >= 5x faster than PyTorch batched eager", Markdown.Over(torchBatched, patch), 5,
            Join(patchNote, torchBatched is null ? "" : $"PyTorch batched {Markdown.Seconds(torchBatched)}"), torch is null ? "pytorch-eager" : null));
        checks.Add(AtLeast("resid_pre sweep >= 3.5x faster than TorchSharp batched eager", Markdown.Over(sharpBatched, patch), 3.5,
            Join(patchNote, sharpBatched is null ? "" : $"TorchSharp batched {Markdown.Seconds(sharpBatched)}"), sharp is null ? "torchsharp-eager" : null));

        var scrubBatched = Seconds(ort, "scrub", "batched");
        var scrubNested = Seconds(ort, "scrub", "nested-reference");
        checks.Add(AtLeast("batched causal scrubbing >= 5x faster than the nested reference", Markdown.Over(scrubNested, scrubBatched), 5,
            scrubBatched is null ? "" : $"batched {Markdown.Seconds(scrubBatched)}, nested {Markdown.Seconds(scrubNested)}"));

        // Load to first result: parsing and recognising the file, then the first sweep plan; what exceeds the warm sweep is overhead.
        var load = Seconds(ort, "load", "load");
        var recognise = Seconds(ort, "load", "recognise");
        double? overhead = load is { } l && recognise is { } r && patch is { } p && sweep is not null ? l + r + p - sweep.Seconds : null;
        checks.Add(Below("GPT-2 small: load to first result < 2 s plus the sweep", overhead, 2.0,
            overhead is null ? "" : $"load {Markdown.Seconds(load)} + recognise {Markdown.Seconds(recognise)} + first sweep plan {Markdown.Seconds(patch)} - warm sweep {Markdown.Seconds(sweep!.Seconds)}"));

        var memory = ort?.Results.FirstOrDefault(x => x.Measure == "memory.cache_all_hooks");
        checks.Add(AtMost("caching every hook peaks <= 1.5x the cached bytes plus the model", memory?.Number("ratio"), 1.5,
            memory is null ? "" : $"peak {Markdown.Bytes(memory.Number("peakResidentBytes"))}, cached {Markdown.Bytes(memory.Number("cachedBytes"))} ({Markdown.Number(memory.Number("hooks"), "F0")} hooks, batch {memory.Batch}), model {Markdown.Bytes(memory.Number("modelBytes"))}; above the {Markdown.Bytes(memory.Number("baselineResidentBytes"))} before loading: {Markdown.Ratio(memory.Number("ratioAboveBaseline"))}"));
        return checks;
    }

    /// <summary>value &lt;= limit (a cost ratio).</summary>
    public static TargetCheck AtMost(string target, double? value, double limit, string detail) =>
        value is not { } v || double.IsNaN(v) ? Missing(target, detail, null)
        : new(target, Markdown.Ratio(v), v <= limit ? $"met ({Percent(1 - v / limit)} under)" : $"missed by {Percent(v / limit - 1)} ({Markdown.Ratio(v)} > {Markdown.Ratio(limit)})", detail);

    /// <summary>value &gt;= goal (a speedup).</summary>
    public static TargetCheck AtLeast(string target, double? value, double goal, string detail, string? absentTool = null) =>
        value is not { } v || double.IsNaN(v) ? Missing(target, detail, absentTool)
        : new(target, $"{Markdown.Ratio(v)} faster", v >= goal ? $"met ({Markdown.Ratio(v / goal)} the goal)" : $"missed: {Markdown.Ratio(goal / v)} short of {Markdown.Ratio(goal)}", detail);

    /// <summary>value &lt; limit (seconds).</summary>
    public static TargetCheck Below(string target, double? value, double limit, string detail) =>
        value is not { } v || double.IsNaN(v) ? Missing(target, detail, null)
        : new(target, Markdown.Seconds(v), v < limit ? $"met ({Markdown.Seconds(limit - v)} to spare)" : $"missed by {Markdown.Seconds(v - limit)}", detail);

    static TargetCheck Missing(string target, string detail, string? absentTool) =>
        new(target, "–", absentTool is null ? Markdown.NotMeasured : $"{Markdown.NotMeasured} (no {absentTool} result)", detail);

    static string Percent(double x) => $"{(100 * x).ToString("F1", CultureInfo.InvariantCulture)} %";

    static string Join(params string[] parts) => string.Join("; ", parts.Where(p => p.Length > 0));
}
