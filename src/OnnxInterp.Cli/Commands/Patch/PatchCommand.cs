using OnnxInterp.Analysis.Engine;
using System.CommandLine;
using System.Diagnostics;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Progress;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Patch;

/// <summary>Reads the prompt pairs and sweeps, runs them as one batch plan, and reports each sweep as a grid.</summary>
public sealed class PatchCommand
{
    readonly CliConsole console;
    readonly PatchCommandDefinition d;
    readonly ParseResult parse;
    readonly string modelPath;
    readonly string? output, hookMap;
    readonly MetricKind metric;
    readonly IReadOnlyList<SweepSpec> sweeps;
    readonly int rowsPerRun;
    readonly Device device;
    readonly bool json, reverse;

    public PatchCommand(PatchCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        modelPath = parse.GetRequiredValue(d.Model);
        output = parse.GetValue(d.Output);
        hookMap = parse.GetValue(d.HookMap);
        metric = MetricNames.Parse(parse.GetValue(d.Metric) ?? "logit-diff");
        sweeps = ReadSweeps(parse.GetValue(d.Sweep));
        rowsPerRun = parse.GetValue(d.RowsPerRun);
        device = parse.GetValue(d.Device);
        json = parse.GetValue(d.Json);
        reverse = parse.GetValue(d.Reverse);
        if (rowsPerRun < 1) throw new UsageException($"--rows-per-run must be at least 1, not {rowsPerRun}.");
        d.Prompts.CheckOneKind(parse);
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(modelPath, hookMap);
        var pairs = d.Prompts.Read(parse, model, metric);
        var clock = Stopwatch.StartNew();
        PatchingResult result;
        using (var sessions = new SessionCache(device, console.Notice))
        {
            try
            {
                result = EngineProgress.Run(console, parse.GetValue(d.Quiet), "patch", "session runs", progress =>
                    ActivationPatching.Run(model, new PatchingRequest(pairs, sweeps, metric, reverse),
                        new InterventionOptions(rowsPerRun, device, sessions, console.Notice, parse.GetValue(d.LogitsOutput), progress)));
            }
            catch (Exception e) when (e is ArgumentException or HookMapException)
            {
                // The plan is checked before the first run; what fails here is the user's sweep, site or prompt.
                throw new UsageException(e.Message);
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var cleanTokens = pairs[0].Clean.Select(t => AnalysisInputs.Text(model, t)).ToList();
        var corruptedTokens = pairs[0].Corrupted.Select(t => AnalysisInputs.Text(model, t)).ToList();
        var label = MetricNames.Name(metric);
        var grids = result.Sweeps.Select(s => SweepGrid.Of(s, cleanTokens, label)).ToList();
        var report = new PatchOutput(Path.GetFullPath(modelPath), device.ToString().ToLowerInvariant(), label, reverse, result.Pairs, result.Positions,
            cleanTokens, corruptedTokens, [.. pairs.Select(p => PatchPairRow.Of(model, p))], result.Clean, result.Corrupted, [.. grids.Select(g => g.Row)], result.Skipped, result.Runs, result.Rows, seconds, null);
        if (folder is not null)
        {
            var files = new List<string>();
            foreach (var (grid, row) in grids) files.AddRange(ReportFiles.WriteGrid(folder, row.Name, grid, row));
            files.Add(Path.Combine(folder, "patch.json"));
            report = report with { Files = files };
            ReportFiles.WriteJson(folder, "patch", report);
        }
        if (json) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    static IReadOnlyList<SweepSpec> ReadSweeps(string[]? names)
    {
        if (names is null || names.Length == 0) return Sweeps.EveryBlock;
        var specs = new List<SweepSpec>();
        foreach (var name in names)
        {
            if (!Sweeps.ByName.TryGetValue(name, out var found))
                throw new UsageException($"--sweep '{name}' is not a sweep; use one of {string.Join(", ", Sweeps.ByName.Keys)}.");
            specs.AddRange(found.Where(f => specs.All(s => s.Name != f.Name)));
        }
        return specs;
    }

    void WriteText(PatchOutput r)
    {
        var w = console.Out;
        w.WriteLine($"{(r.Reverse ? "corrupted -> clean" : "clean -> corrupted")} patching, {r.Pairs} pair{(r.Pairs == 1 ? "" : "s")} of {r.Positions} tokens, metric {r.Metric}: clean {r.Clean:G5}, corrupted {r.Corrupted:G5}");
        w.WriteLine($"{r.Runs} session runs, {r.Rows} batch rows, {r.Seconds:F2} s; values below are normalised (0 = corrupted, 1 = clean)");
        foreach (var skipped in r.Skipped) w.WriteLine($"skipped {skipped}");
        foreach (var s in r.Sweeps)
        {
            w.WriteLine();
            w.WriteLine($"{s.Name} ({s.Hook}): {s.RowAxis} x {s.ColumnAxis}");
            int width = Math.Max(6, s.RowLabels.Max(l => l.Length));
            w.WriteLine("".PadRight(width) + string.Concat(s.ColumnLabels.Select((c, i) => $" {i,6}")));
            for (int row = 0; row < s.RowLabels.Count; row++)
                w.WriteLine(s.RowLabels[row].PadRight(width) + string.Concat(s.Normalised[row].Select(v => $" {v,6:F2}")));
        }
        if (r.Files is { } files) foreach (var f in files) w.WriteLine($"wrote {f}");
    }
}
