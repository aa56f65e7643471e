namespace OnnxInterp.Benchmarks.Report;

/// <summary>The measures only the ONNX Runtime suite runs, one table each, for one ORT result file.</summary>
public static class OrtTables
{
    public static string All(ToolRun run)
    {
        var sections = new List<string>
        {
            Section("Every standard hook exposed (`hooks.exposed`)", Ratios(run, "hooks.exposed",
                "`plain`: the file as exported, logits only. `exposed.logits`: every standard hook (the hook map's own hooks, no derived ones) exposed as a graph output, fetching only the logits: the cost of the changed graph (an exposed GELU output blocks ORT's FastGelu fusion). `exposed.all`: the same session fetching every hook: the copy-out.",
                r => [Markdown.Number(r.Number("outputs"), "F0"), Markdown.Bytes(r.Number("fetchedBytes")), Markdown.Number(r.Number("logitsMaxAbsDiffToPlain"), "G3")],
                ["outputs fetched", "bytes fetched", "logits max abs diff to plain"])),
            Section("Inactive patch points (`patchpoints.inactive`)", Ratios(run, "patchpoints.inactive",
                "The engine's write points (`Where(mask, Gather(x, rows), x)`) with every mask false, logits only: on each layer's `hook_resid_pre` (the resid_pre sweep's sites) and on every standard hook.",
                r => [Markdown.Number(r.Number("points"), "F0"), Markdown.Number(r.Number("logitsMaxAbsDiffToPlain"), "G3")],
                ["write points", "logits max abs diff to plain"])),
            Section("Peak memory caching every hook (`memory.cache_all_hooks`)", Memory(run)),
            Section("Load to first result (`load`)", Load(run)),
            Section("Causal scrubbing (`scrub`)", Scrub(run)),
        };
        return string.Concat(sections);
    }

    static string Section(string title, string body) => $"#### {title}\n\n{body}\n";

    static string Ratios(ToolRun run, string measure, string note, Func<ResultRow, string[]> cells, string[] headers)
    {
        var rows = run.Results.Where(r => r.Measure == measure).ToList();
        if (rows.Count == 0) return Markdown.NotMeasured + "\n";
        var plain = rows.FirstOrDefault(r => r.Variant == "plain")?.Seconds;
        return $"{note} Batch {rows[0].Batch}, seq {rows[0].Seq}, median of {rows[0].Reps} round-robin repetitions.\n\n" +
               Markdown.Table(["variant", "seconds", "/ plain", .. headers],
                   rows.Select(r => (IReadOnlyList<string>)[r.Variant, Markdown.Seconds(r.Seconds), Markdown.Ratio(Markdown.Over(r.Seconds, plain)), .. cells(r)]));
    }

    static string Memory(ToolRun run)
    {
        var r = run.Results.FirstOrDefault(x => x.Measure == "memory.cache_all_hooks");
        if (r is null) return Markdown.NotMeasured + "\n";
        string B(string key) => Markdown.Bytes(r.Number(key));
        return $"Load the model, compile, and cache every standard hook ({Markdown.Number(r.Number("hooks"), "F0")} tensors) for one batch of {r.Batch} x {r.Seq} tokens, copied into managed arrays; first measure of its process, peak counter reset before loading{(r.Extra["peakWasReset"]?.ToString() == "false" ? " (the reset failed: the peak covers the whole process)" : "")}.\n\n" +
               Markdown.Table(["quantity", "value"], new List<IReadOnlyList<string>>
               {
                   new[] { "process peak resident (VmHWM)", B("peakResidentBytes") },
                   new[] { "resident before loading", B("baselineResidentBytes") },
                   new[] { "resident after (GC heap / rest, mostly native)", $"{B("residentAfterBytes")} ({B("managedHeapBytes")} / {B("nativeAfterBytes")})" },
                   new[] { "cached tensors", B("cachedBytes") },
                   new[] { "model files", B("modelBytes") },
                   new[] { "peak / (cached + model)", Markdown.Ratio(r.Number("ratio")) },
                   new[] { "(peak - before loading) / (cached + model)", Markdown.Ratio(r.Number("ratioAboveBaseline")) },
                   new[] { "capture run (compiles the session)", Markdown.Seconds(r.Seconds) },
               });
    }

    static string Load(ToolRun run)
    {
        var rows = run.Results.Where(r => r.Measure == "load").ToList();
        if (rows.Count == 0) return Markdown.NotMeasured + "\n";
        string Detail(ResultRow r) => r.Variant switch
        {
            "type-probe" => $"{Markdown.Number(r.Number("untypedTensors"), "F0")} untyped tensors; expose {Markdown.Seconds(r.Number("rewriteSeconds"))}, session with {Markdown.Number(r.Number("exposedTensors"), "F0")} outputs {Markdown.Seconds(r.Number("sessionSeconds"))}, two runs {Markdown.Seconds(r.Number("runSeconds"))}",
            "recognise" => $"{Markdown.Number(r.Number("hooks"), "F0")} hooks",
            "rewrite" => $"{Markdown.Number(r.Number("writePoints"), "F0")} write points, logits at the last position",
            "first-run" => "clean and corrupted rows",
            _ => "",
        };
        return "Each step once, cold sessions, in the order `onnxinterp patch` takes them.\n\n" +
               Markdown.Table(["step", "seconds", "detail"], rows.Select(r => (IReadOnlyList<string>)[r.Variant, Markdown.Seconds(r.Seconds), Detail(r)]));
    }

    static string Scrub(ToolRun run)
    {
        var rows = run.Results.Where(r => r.Measure == "scrub").ToList();
        if (rows.Count == 0) return Markdown.NotMeasured + "\n";
        var e = rows[0].Extra;
        var batched = rows.FirstOrDefault(r => r.Variant == "batched")?.Seconds;
        return $"`{e["hypothesis"]}` on `{e["model"]}`, `{e["dataset"]}`, {e["samples"]} samples.\n\n" +
               Markdown.Table(["variant", "seconds", "/ batched", "session runs", "batch rows", "recovered"],
                   rows.Select(r => (IReadOnlyList<string>)[r.Variant, Markdown.Seconds(r.Seconds), Markdown.Ratio(Markdown.Over(r.Seconds, batched)),
                       Markdown.Number(r.Number("runs"), "F0"), Markdown.Number(r.Number("batchRows"), "F0"), Markdown.Number(r.Number("recovered"), "P2")]));
    }
}
