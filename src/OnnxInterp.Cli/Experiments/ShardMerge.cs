using OnnxInterp.Cli.Commands.MaxAct;
using OnnxInterp.Cli.Commands.Ablate;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Cli.Commands.Scrub;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Cli.Experiments.Steps;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// Combines the results of every shard of one experiment into the results one run gives: each whole step from the shard
/// that ran it, a maxact step's top contexts re-ranked over all shards (activation, then earlier example, then earlier
/// position: the search's own order), its counts summed, a patch or ablate step's cells each from the shard that ran it,
/// and a scrub step's samples joined and summarised again.
/// </summary>
internal static class ShardMerge
{
    public static ExperimentResults Merge(IReadOnlyList<(string Folder, ExperimentResults Results)> shards)
    {
        var first = shards[0].Results;
        int count = first.Shard?.Count ?? throw new UsageException($"{shards[0].Folder} is not a shard (it was run without --shard).");
        foreach (var (folder, r) in shards)
        {
            if (r.Shard is null) throw new UsageException($"{folder} is not a shard (it was run without --shard).");
            if (r.Shard.Count != count) throw new UsageException($"{folder} is shard {r.Shard} but {shards[0].Folder} is one of {count}; merge the shards of one run.");
            if (r.SpecSha256 != first.SpecSha256) throw new UsageException($"{folder} ran another spec (sha256 {r.SpecSha256[..12]}… vs {first.SpecSha256[..12]}…); merge the shards of one spec.");
            if (!r.Models.Select(m => m.Sha256).SequenceEqual(first.Models.Select(m => m.Sha256))) throw new UsageException($"{folder} ran other model files than {shards[0].Folder}.");
            if (r.Device != first.Device) throw new UsageException($"{folder} ran on {r.Device} but {shards[0].Folder} on {first.Device}; the numbers would not be one run's. Run every shard on one kind of device.");
        }
        var missing = Enumerable.Range(0, count).Where(k => shards.Count(s => s.Results.Shard!.Index == k) != 1).ToList();
        if (missing.Count > 0)
            throw new UsageException($"shards {string.Join(", ", missing.Select(k => $"{k}/{count}"))} are missing or given twice; merge needs each of the {count} shards once.");

        int stepCount = first.Spec.GetProperty("steps").GetArrayLength();
        var steps = new List<StepResult>();
        for (int i = 0; i < stepCount; i++)
        {
            var parts = shards.SelectMany(s => s.Results.Steps.Where(x => x.Index == i)).ToList();
            if (parts.Count == 0) throw new InvalidDataException($"no shard holds step {i}; was a shard's run interrupted?");
            steps.Add(parts[0].Step switch { "maxact" => MaxAct(parts), "patch" => Patch(parts), "scrub" => Scrub(parts), "ablate" => Ablate(parts), _ => parts.Single() });
        }
        return first with
        {
            Started = shards.Min(s => s.Results.Started),
            Seconds = shards.Max(s => s.Results.Seconds),
            Steps = steps,
            Files = null,
            Shard = null,
        };
    }

    /// <summary>A patch step's cells, each from the one shard that computed it (the others hold NaN there); clean and corrupted are every shard's.</summary>
    static StepResult Patch(IReadOnlyList<StepResult> parts)
    {
        var outputs = parts.Select(p => ResultsFile.As<PatchOutput>(p.Result)).ToList();
        var sweeps = outputs[0].Sweeps.Select((s, i) => s with
        {
            Normalised = Cells([.. outputs.Select(o => o.Sweeps[i].Normalised)]),
            Raw = Cells([.. outputs.Select(o => o.Sweeps[i].Raw)]),
        }).ToList();
        return parts[0] with
        {
            Seconds = parts.Sum(p => p.Seconds),
            Result = outputs[0] with { Sweeps = sweeps, Runs = outputs.Sum(o => o.Runs), Rows = outputs.Sum(o => o.Rows), Seconds = outputs.Sum(o => o.Seconds) },
            Grids = [.. parts[0].Grids.Select(g => g with { Grid = g.Grid with { Values = sweeps.First(s => s.Name == g.Name).Normalised } })],
        };
    }

    /// <summary>An ablate step's variants and grid cells, each from the one shard that ran it (NaN elsewhere).</summary>
    static StepResult Ablate(IReadOnlyList<StepResult> parts)
    {
        var outputs = parts.Select(p => ResultsFile.As<AblateOutput>(p.Result)).ToList();
        var rows = outputs[0].Variants.Select((_, v) => outputs.Select(o => o.Variants[v]).FirstOrDefault(r => !double.IsNaN(r.Value), outputs[0].Variants[v])).ToList();
        GridResult Join(IReadOnlyList<GridResult> grids) => grids[0] with { Values = Cells([.. grids.Select(g => g.Values)]) };
        var grids = outputs[0].Grids.Select((_, i) => Join([.. outputs.Select(o => o.Grids[i])])).ToList();
        return parts[0] with
        {
            Seconds = parts.Sum(p => p.Seconds),
            Result = outputs[0] with { Variants = rows, Grids = grids, Runs = outputs.Sum(o => o.Runs), Rows = outputs.Sum(o => o.Rows), Seconds = outputs.Sum(o => o.Seconds) },
            Tables = [parts[0].Tables[0] with { Rows = AblateStep.TableRows(rows) }],
            Grids = [.. parts[0].Grids.Select((g, i) => g with { Grid = Join([.. parts.Select(p => p.Grids[i].Grid)]) })],
        };
    }

    /// <summary>Each cell from the share that computed it: the first value that is not NaN.</summary>
    static double[][] Cells(IReadOnlyList<double[][]> shares) =>
        [.. shares[0].Select((row, r) => row.Select((_, c) => shares.Select(s => s[r][c]).FirstOrDefault(v => !double.IsNaN(v), double.NaN)).ToArray())];

    /// <summary>A scrub step's samples, each from the shard that ran it, summarised again over all of them.</summary>
    static StepResult Scrub(IReadOnlyList<StepResult> parts)
    {
        var outputs = parts.Select(p => ResultsFile.As<ScrubOutput>(p.Result)).ToList();
        var joined = CausalScrubbing.Join([.. outputs.Select(o => o.Result)]);
        return parts[0] with
        {
            Seconds = parts.Sum(p => p.Seconds),
            Result = outputs[0] with { Result = joined, Seconds = outputs.Sum(o => o.Seconds) },
            Tables = [ScrubStep.Table(joined)],
        };
    }

    static StepResult MaxAct(IReadOnlyList<StepResult> parts)
    {
        var outputs = parts.Select(p => ResultsFile.As<MaxActOutput>(p.Result)).ToList();
        var first = outputs[0];
        var targets = first.Targets.Select((t, i) => t with
        {
            Examples = [.. outputs.SelectMany(o => o.Targets[i].Examples)
                .OrderByDescending(e => e.Activation).ThenBy(e => e.Example).ThenBy(e => e.Position)
                .Take(first.K).Select((e, rank) => e with { Rank = rank + 1 })],
        }).ToList();
        long examples = outputs.Sum(o => o.Examples);
        var merged = first with { Examples = examples, Tokens = outputs.Sum(o => o.Tokens), Seconds = outputs.Sum(o => o.Seconds), Targets = targets };
        var texts = new List<TokenActivationText>();
        foreach (var t in targets)
        {
            double max = t.Examples.Count > 0 ? t.Examples[0].Activation : 0;
            foreach (var e in t.Examples)
                if (parts.SelectMany(p => p.Texts ?? []).FirstOrDefault(x => x.Target == t.Target && x.Example == e.Example && x.Position == e.Position) is { } text)
                    texts.Add(text with { Rank = e.Rank, Max = max });
        }
        return parts[0] with
        {
            Seconds = parts.Sum(p => p.Seconds),
            Result = merged,
            Tables = [MaxActStep.Table(targets, first.K, examples)],
            Texts = texts,
        };
    }
}
