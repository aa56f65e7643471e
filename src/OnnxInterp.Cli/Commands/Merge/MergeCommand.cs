using System.CommandLine;
using OnnxInterp.Cli.Experiments;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Commands.Merge;

/// <summary>Reads every shard's results.json, checks they are the shards of one run, merges, and writes the folder one run would.</summary>
public sealed class MergeCommand(MergeCommandDefinition d, ParseResult parse, CliConsole console)
{
    public int Execute()
    {
        var shards = parse.GetRequiredValue(d.Shards).Select(f => (Folder: f, Results: ResultsFile.Read(f))).ToList();
        var merged = ShardMerge.Merge(shards);
        var folder = ReportFiles.PrepareFolder(parse.GetRequiredValue(d.Output));
        var earlier = ExperimentFiles.Listed(folder);
        // Files a step wrote itself (a cache step's safetensors) are copied from its shard.
        var steps = merged.Steps.Select(s => s.Files is null ? s : s with
        {
            Files = [.. s.Files.Select(f =>
            {
                var target = Path.Combine(folder, Path.GetFileName(f));
                if (Path.GetFullPath(f) != target) Onnx.AtomicFile.Write(target, stream => { using var source = File.OpenRead(f); source.CopyTo(stream); });
                return target;
            })],
        }).ToList();
        var written = ExperimentFiles.Write(merged with { Steps = steps }, folder);
        console.Out.WriteLine($"merged {shards.Count} shards ({written.Steps.Count} steps) into {folder}; open {Path.Combine(folder, "report.html")}");
        if (ExperimentFiles.StaleNotice(folder, earlier, written) is { } stale) console.Notice(stale);
        return ExitCodes.Success;
    }
}
