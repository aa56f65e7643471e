using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Progress;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.Scrub;

/// <summary>Reads the hypothesis and dataset, scrubs, and reports the losses and the share recovered with its interval.</summary>
public sealed class ScrubCommand(ScrubCommandDefinition d, ParseResult parse, CliConsole console)
{
    public int Execute()
    {
        var hypothesisPath = parse.GetRequiredValue(d.Hypothesis);
        var datasetPath = parse.GetRequiredValue(d.Dataset);
        foreach (var (path, option) in new[] { (hypothesisPath, "--hypothesis"), (datasetPath, "--dataset") })
            if (!File.Exists(path)) throw new UsageException($"{option} file '{path}' does not exist.");
        int rowsPerRun = parse.GetValue(d.RowsPerRun);
        if (rowsPerRun < 1) throw new UsageException($"--rows-per-run must be at least 1, not {rowsPerRun}.");
        var output = parse.GetValue(d.Output);
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var modelPath = parse.GetRequiredValue(d.Model);
        var device = parse.GetValue(d.Device);
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        var clock = Stopwatch.StartNew();
        ScrubResult result;
        try
        {
            var hypothesis = Hypothesis.Load(hypothesisPath);
            var dataset = ScrubDataset.Load(datasetPath);
            if (model.Map.DVocab > 0 && dataset.Examples.SelectMany(e => e.Tokens).FirstOrDefault(t => t < 0 || t >= model.Map.DVocab, -1) is var bad and >= 0)
                throw new ArgumentException($"dataset token {bad} is outside the model's vocabulary 0..{model.Map.DVocab - 1}.");
            result = EngineProgress.Run(console, parse.GetValue(d.Quiet), "scrub", "session runs", progress =>
                CausalScrubbing.Run(model, new ScrubRequest(hypothesis, dataset, parse.GetValue(d.Samples), parse.GetValue(d.Seed)),
                    new InterventionOptions(rowsPerRun, device, Log: console.Notice, Progress: progress)));
        }
        catch (Exception e) when (e is ArgumentException or HookMapException or JsonException or FormatException)
        {
            throw new UsageException(e.Message);
        }
        var report = new ScrubOutput(Path.GetFullPath(modelPath), Path.GetFullPath(hypothesisPath), Path.GetFullPath(datasetPath), device.ToString().ToLowerInvariant(),
            parse.GetValue(d.Seed), result, clock.Elapsed.TotalSeconds, null);
        if (folder is not null)
        {
            report = report with { Files = [Path.Combine(folder, "scrub.json")] };
            ReportFiles.WriteJson(folder, "scrub", report);
        }
        if (parse.GetValue(d.Json)) JsonOutput.Write(console.Out, report);
        else
        {
            var r = result;
            console.Out.WriteLine($"hypothesis '{r.Hypothesis}', {r.Samples} samples, loss at positions {string.Join(",", r.LossPositions)}");
            console.Out.WriteLine($"loss: clean {r.CleanLoss:F4}, scrubbed {r.ScrubbedLoss:F4}, fully resampled {r.RandomLoss:F4}");
            console.Out.WriteLine($"loss recovered: {r.Recovered:P1} (95% bootstrap interval {r.RecoveredLow:P1} to {r.RecoveredHigh:P1})");
            console.Out.WriteLine($"tree: {r.TreeSize:F1} rows per sample; plan {r.PlanRows} rows, {r.Runs} session runs, {r.BatchRows} batch rows, {report.Seconds:F1} s");
            if (report.Files is { } files) foreach (var f in files) console.Out.WriteLine($"wrote {f}");
        }
        return ExitCodes.Success;
    }
}

/// <summary>The schema of <c>scrub --json</c> (and of scrub.json in the -o folder).</summary>
public sealed record ScrubOutput(string Model, string HypothesisFile, string DatasetFile, string Device, int Seed, ScrubResult Result, double Seconds, IReadOnlyList<string>? Files);
