namespace OnnxInterp.Benchmarks.Report;

/// <summary>
/// The measures every tool runs (forward, sweep.resid_pre, sweep.head_z): absolute seconds per tool and ratios to the
/// primary ORT run, and whether their logit differences agree. Ratios are within one run of run.sh, so they compare like
/// with like on one machine.
/// </summary>
public static class ComparisonTables
{
    public static readonly string[] Sweeps = ["sweep.resid_pre", "sweep.head_z"];

    public static string Forward(ReportInputs inputs)
    {
        var runs = inputs.Ordered;
        var batches = runs.SelectMany(r => r.Results).Where(r => r.Measure == "forward").Select(r => r.Batch).Distinct().Order().ToList();
        if (batches.Count == 0) return "No tool measured the plain forward.\n";
        var headers = new List<string> { "batch" };
        headers.AddRange(runs.Select(r => r.Label));
        headers.AddRange(Baselines(inputs).Select(b => $"{b.Label} / ORT"));
        var rows = batches.Select(b =>
        {
            var ort = inputs.Ort?.Find("forward", "plain", b)?.Seconds;
            var row = new List<string> { b.ToString() };
            row.AddRange(runs.Select(r => Markdown.Seconds(r.Find("forward", "plain", b)?.Seconds)));
            row.AddRange(Baselines(inputs).Select(t => Markdown.Ratio(Markdown.Over(t.Find("forward", "plain", b)?.Seconds, ort))));
            return (IReadOnlyList<string>)row;
        });
        return Markdown.Table(headers, rows) + Absent(inputs);
    }

    /// <summary>One row per tool and variant; ORT's variants also show their first plan (what `onnxinterp patch` reports).</summary>
    public static string Sweep(ReportInputs inputs, string measure)
    {
        var reference = inputs.Ort?.Find(measure, "batched");
        var patch = reference?.Number("firstSeconds");
        var warm = reference?.Seconds;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in inputs.Ordered)
            foreach (var r in run.Results.Where(r => r.Measure == measure))
            {
                var runsCell = Markdown.Number(r.Number("runs"), "F0");
                var perRun = Markdown.Number(r.Number("rowsPerRun") ?? r.Batch, "F0");
                if (run.Kind == ToolKind.Ort && r.Number("firstSeconds") is { } first)
                    rows.Add([run.Label, $"{r.Variant}, first plan (cold)", runsCell, perRun, Markdown.Seconds(first), Markdown.Ratio(Markdown.Over(first, patch)), Markdown.Ratio(Markdown.Over(first, warm))]);
                rows.Add([run.Label, run.Kind == ToolKind.Ort ? $"{r.Variant}, warm" : r.Variant, runsCell, perRun, Markdown.Seconds(r.Seconds), Markdown.Ratio(Markdown.Over(r.Seconds, patch)), Markdown.Ratio(Markdown.Over(r.Seconds, warm))]);
            }
        if (rows.Count == 0) return $"No tool measured {measure}.\n";
        int variants = inputs.Runs.SelectMany(r => r.Results).Where(r => r.Measure == measure).Select(r => r.Variants ?? 0).DefaultIfEmpty().Max();
        return $"{variants} variants. Ratios are seconds / ORT's; above 1 means slower than onnxinterp.\n\n" +
               Markdown.Table(["tool", "variant", "session runs", "rows per run", "seconds", "/ ORT patch (first plan)", "/ ORT batched (warm)"], rows) + Absent(inputs);
    }

    /// <summary>Max abs difference of every tool's and variant's raw logit differences from ORT batched's (else the first present).</summary>
    public static string Agreement(ReportInputs inputs)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var measure in Sweeps)
        {
            var all = inputs.Ordered.SelectMany(run => run.Results.Where(r => r.Measure == measure && r.Numbers("logitDiffs") is not null).Select(r => (Run: run, Row: r))).ToList();
            if (all.Count == 0) continue;
            var reference = all.FirstOrDefault(x => x.Run == inputs.Ort && x.Row.Variant == "batched");
            if (reference.Row is null) reference = all[0];
            var values = reference.Row.Numbers("logitDiffs")!;
            foreach (var (run, row) in all)
            {
                var other = row.Numbers("logitDiffs")!;
                string diff = other.Length != values.Length ? $"{other.Length} values, not {values.Length}"
                    : Markdown.Number(other.Zip(values).Max(p => Math.Abs(p.First - p.Second)), "G3");
                rows.Add([measure, $"{run.Label} {row.Variant}", other.Length.ToString(), diff,
                    Markdown.Number(Diff(row.Number("clean"), reference.Row.Number("clean")), "G3"),
                    Markdown.Number(Diff(row.Number("corrupted"), reference.Row.Number("corrupted")), "G3")]);
            }
            rows.Add([measure, $"(reference: {reference.Run.Label} {reference.Row.Variant}; clean {Markdown.Number(reference.Row.Number("clean"))}, corrupted {Markdown.Number(reference.Row.Number("corrupted"))})", "", "", "", ""]);
        }
        return rows.Count == 0 ? "No tool reported logit differences.\n"
            : Markdown.Table(["sweep", "tool and variant", "values", "max abs diff of logitDiffs", "clean diff", "corrupted diff"], rows);
    }

    static double? Diff(double? a, double? b) => a is { } x && b is { } y ? Math.Abs(x - y) : null;

    static IEnumerable<ToolRun> Baselines(ReportInputs inputs) => new[] { inputs.PyTorch, inputs.TorchSharp }.OfType<ToolRun>();

    /// <summary>A line naming the compared tools that have no result file in this report.</summary>
    public static string Absent(ReportInputs inputs)
    {
        var absent = new[] { ("onnxinterp-ort", inputs.Ort), ("pytorch-eager", inputs.PyTorch), ("torchsharp-eager", inputs.TorchSharp) }
            .Where(t => t.Item2 is null).Select(t => t.Item1).ToList();
        return absent.Count == 0 ? "" : $"\n{string.Join(", ", absent)}: {Markdown.NotMeasured} (no result file).\n";
    }
}
