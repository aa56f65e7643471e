using OnnxInterp.Analysis.Engine;
using System.CommandLine;
using System.Diagnostics;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
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
        bool text = parse.GetValue(d.Clean) is not null || parse.GetValue(d.Corrupted) is not null;
        bool ids = parse.GetValue(d.CleanTokens) is not null || parse.GetValue(d.CorruptedTokens) is not null;
        int sources = (text ? 1 : 0) + (ids ? 1 : 0) + (parse.GetValue(d.Ioi) is not null ? 1 : 0) + (parse.GetValue(d.Pairs) is not null ? 1 : 0);
        if (sources == 0) throw new UsageException("nothing to patch: give --clean TEXT --corrupted TEXT (or --clean-tokens/--corrupted-tokens IDS), --pairs FILE.jsonl, or --ioi N.");
        if (sources > 1) throw new UsageException("give one kind of prompts: --clean/--corrupted text, --clean-tokens/--corrupted-tokens ids, --pairs FILE.jsonl, or --ioi N.");
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(modelPath, hookMap);
        var pairs = ReadPairs(model);
        var clock = Stopwatch.StartNew();
        PatchingResult result;
        using (var sessions = new SessionCache(device, console.Notice))
        {
            try
            {
                result = ActivationPatching.Run(model, new PatchingRequest(pairs, sweeps, metric, reverse), new InterventionOptions(rowsPerRun, device, sessions, console.Notice, parse.GetValue(d.LogitsOutput)));
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

    List<PromptPair> ReadPairs(HookedModel model)
    {
        bool noBos = parse.GetValue(d.NoBos);
        int? position = parse.GetValue(d.Position);
        if (parse.GetValue(d.Ioi) is { } n)
        {
            if (n < 1) throw new UsageException($"--ioi must be at least 1, not {n}.");
            if (!BosToken.UsesGpt2Vocabulary(model))
                throw new UsageException($"--ioi needs a model with GPT-2's vocabulary; this one has {model.Map.DVocab} tokens. Give --clean-tokens and --corrupted-tokens instead.");
            if (parse.GetValue(d.Answer) is not null || parse.GetValue(d.AnswerId) is not null || parse.GetValue(d.Wrong) is not null || parse.GetValue(d.WrongId) is not null)
                throw new UsageException("--ioi sets the answer (indirect object) and wrong answer (subject) itself; leave out --answer and --wrong.");
            int datasetSeed = int.TryParse(model.Model.Metadata("onnxinterp.ioi.dataset_seed"), out var s) ? s : IoiDataset.DefaultSeed;
            var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer(), datasetSeed), n, parse.GetValue(d.Seed), parse.GetValue(d.Template));
            return [.. pairs.Select(p => p with { Position = position ?? -1 })];
        }
        if (parse.GetValue(d.Pairs) is { } file)
        {
            if (parse.GetValue(d.Answer) is not null || parse.GetValue(d.AnswerId) is not null || parse.GetValue(d.Wrong) is not null || parse.GetValue(d.WrongId) is not null)
                throw new UsageException("--pairs gives each pair's answer and wrong answer itself; leave out --answer and --wrong.");
            return PairsFile.Read(model, file, noBos, position);
        }
        bool text = parse.GetValue(d.Clean) is not null || parse.GetValue(d.Corrupted) is not null;
        var (cleanOption, corruptedOption) = text ? ("--clean", "--corrupted") : ("--clean-tokens", "--corrupted-tokens");
        var clean = text ? AnalysisInputs.ReadTokens(model, parse.GetValue(d.Clean), null, noBos) : AnalysisInputs.ReadTokens(model, null, parse.GetValue(d.CleanTokens), noBos);
        var corrupted = text ? AnalysisInputs.ReadTokens(model, parse.GetValue(d.Corrupted), null, noBos) : AnalysisInputs.ReadTokens(model, null, parse.GetValue(d.CorruptedTokens), noBos);
        if (clean is null) throw new UsageException($"{corruptedOption} was given without {cleanOption}; patching needs both prompts.");
        if (corrupted is null) throw new UsageException($"{cleanOption} was given without {corruptedOption}; patching needs both prompts.");
        if (clean.Length != corrupted.Length)
            throw new UsageException($"the clean prompt is {clean.Length} tokens but the corrupted prompt is {corrupted.Length}; activation patching needs prompts of equal token length (reword one so both tokenize to the same length).");
        var answer = AnalysisInputs.ReadToken(model, parse.GetValue(d.Answer), parse.GetValue(d.AnswerId), "--answer");
        var wrong = AnalysisInputs.ReadToken(model, parse.GetValue(d.Wrong), parse.GetValue(d.WrongId), "--wrong");
        if (metric == MetricKind.LogitDiff && (answer is null || wrong is null))
            throw new UsageException("the logit-diff metric needs --answer and --wrong (or their -id forms); or choose --metric loss, prob or kl.");
        if (metric is MetricKind.Probability or MetricKind.Rank or MetricKind.Loss or MetricKind.Accuracy && answer is null)
            throw new UsageException($"--metric {MetricNames.Name(metric)} needs --answer (or --answer-id).");
        int pos = position ?? -1;
        if (pos >= clean.Length || pos < -clean.Length) throw new UsageException($"--pos {pos} is outside the {clean.Length} tokens.");
        return [new PromptPair([.. clean.Select(t => (long)t)], [.. corrupted.Select(t => (long)t)], answer ?? -1, wrong ?? -1, pos)];
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
