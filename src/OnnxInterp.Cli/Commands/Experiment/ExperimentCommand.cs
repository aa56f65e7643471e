using System.CommandLine;
using OnnxInterp.Cli.Experiments;
using OnnxInterp.Cli.Progress;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Experiment;

/// <summary>Reads and checks the whole spec first (naming any bad field), then runs every step and writes the folder.</summary>
public sealed class ExperimentCommand(ExperimentCommandDefinition d, ParseResult parse, CliConsole console)
{
    readonly string specPath = parse.GetRequiredValue(d.Spec);
    readonly string output = parse.GetRequiredValue(d.Output);
    readonly Device? device = parse.GetValue(d.Device);
    readonly bool quiet = parse.GetValue(d.Quiet), checkOnly = parse.GetValue(d.Check);
    readonly Shard? shard = parse.GetValue(d.Shard) is { } text ? Shard.Parse(text) : null;

    public int Execute()
    {
        var full = Path.GetFullPath(output);
        if (File.Exists(full)) throw new UsageException($"-o {output} is a file; give a folder for the experiment's results.");
        var results = Run(specPath, full, device, console, quiet, checkOnly, shard);
        if (results is null)
        {
            console.Out.WriteLine($"{specPath}: valid; nothing was run.");
            return ExitCodes.Success;
        }
        console.Out.WriteLine($"{results.Steps.Count} step{(results.Steps.Count == 1 ? "" : "s")} in {results.Seconds:0.0} s on {results.Device}; open {Path.Combine(full, "report.html")}");
        console.Out.WriteLine($"wrote {results.Files!.Count} files to {full} (results.json has every number)");
        if (shard is not null) console.Out.WriteLine($"this is shard {shard} of the experiment; combine all {shard.Count} with `onnxinterp merge DIR... -o OUTDIR`");
        return ExitCodes.Success;
    }

    /// <summary>Reads, checks and (unless <paramref name="checkOnly"/>) runs a spec into <paramref name="folder"/>; shared with <c>demo</c>.</summary>
    internal static ExperimentResults? Run(string specPath, string folder, Device? device, CliConsole console, bool quiet, bool checkOnly = false, Shard? shard = null)
    {
        ExperimentPlan plan;
        System.Text.Json.JsonElement json;
        try
        {
            (var spec, json) = SpecReader.Read(specPath);
            plan = ExperimentPlan.Create(spec, specPath, device, console.Notice);
        }
        catch (SpecException e)
        {
            throw new UsageException($"{specPath}: {e.Message}");
        }
        if (checkOnly) return null;
        ReportFiles.PrepareFolder(folder);
        var earlier = ExperimentFiles.Listed(folder);
        var results = ProgressDisplay.Run(console, quiet, "experiment", plan.Steps.Count, "steps",
            sink => ExperimentFiles.Write(ExperimentRunner.Run(plan, json, folder, new StepProgress(sink), shard), folder), lineInterval: TimeSpan.Zero);
        if (ExperimentFiles.StaleNotice(folder, earlier, results) is { } stale) console.Notice(stale);
        return results;
    }
}
