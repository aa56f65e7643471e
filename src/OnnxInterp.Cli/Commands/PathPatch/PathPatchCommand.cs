using System.CommandLine;
using System.Diagnostics;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Progress;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.PathPatch;

/// <summary>Reads the pairs, senders and receivers, runs path patching as one plan, and reports the sender x receiver grid.</summary>
public sealed class PathPatchCommand(PathPatchCommandDefinition d, ParseResult parse, CliConsole console)
{
    public int Execute()
    {
        d.Prompts.CheckOneKind(parse);
        int rowsPerRun = parse.GetValue(d.RowsPerRun);
        if (rowsPerRun < 1) throw new UsageException($"--rows-per-run must be at least 1, not {rowsPerRun}.");
        var metric = MetricNames.Parse(parse.GetValue(d.Metric) ?? "logit-diff");
        var output = parse.GetValue(d.Output);
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var modelPath = parse.GetRequiredValue(d.Model);
        var device = parse.GetValue(d.Device);
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        var pairs = d.Prompts.Read(parse, model, metric);
        var request = new PathPatchingRequest(pairs, List(parse.GetValue(d.Senders)), List(parse.GetValue(d.Receivers)), metric);
        var clock = Stopwatch.StartNew();
        PathPatchingResult result;
        try
        {
            result = EngineProgress.Run(console, parse.GetValue(d.Quiet), "path-patch", "session runs", progress =>
                PathPatching.Run(model, request, new InterventionOptions(rowsPerRun, device, Log: console.Notice, Progress: progress)));
        }
        catch (Exception e) when (e is ArgumentException or HookMapException)
        {
            throw new UsageException(e.Message);
        }
        double seconds = clock.Elapsed.TotalSeconds;

        var report = PathPatchOutput.Of(Path.GetFullPath(modelPath), device.ToString().ToLowerInvariant(), model, pairs, result, seconds);
        if (folder is not null)
        {
            var grid = PathPatchOutput.Grid(result);
            var files = new List<string>(ReportFiles.WriteGrid(folder, "path-patch-grid", grid)) { Path.Combine(folder, "path-patch.json") };
            report = report with { Files = files };
            ReportFiles.WriteJson(folder, "path-patch", report);
        }
        if (parse.GetValue(d.Json)) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    static IReadOnlyList<string> List(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } parts ? parts
        : throw new UsageException("--senders and --receivers need at least one name (or all).");

    void WriteText(PathPatchOutput r)
    {
        var w = console.Out;
        w.WriteLine($"path patching, {r.Pairs} pair{(r.Pairs == 1 ? "" : "s")}, metric {r.Metric}: clean {r.Clean:G5}, corrupted {r.Corrupted:G5}");
        w.WriteLine($"{r.Edges} edges, {r.Runs} session runs, {r.Rows} batch rows, {r.Seconds:F2} s; normalised (1 = clean, 0 = corrupted; '.' = sender not before receiver)");
        int width = Math.Max(8, r.Senders.Max(s => s.Length));
        var columns = r.Receivers.Select(x => Math.Max(7, x.Length)).ToList();
        w.WriteLine("".PadRight(width) + string.Concat(r.Receivers.Select((x, i) => " " + x.PadLeft(columns[i]))));
        for (int s = 0; s < r.Senders.Count; s++)
            w.WriteLine(r.Senders[s].PadRight(width) + string.Concat(r.Normalised[s].Select((v, i) => " " + (v is { } x ? x.ToString("F3") : ".").PadLeft(columns[i]))));
        if (r.Files is { } files) foreach (var f in files) w.WriteLine($"wrote {f}");
    }
}
