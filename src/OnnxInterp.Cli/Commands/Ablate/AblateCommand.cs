using OnnxInterp.Analysis.Engine;
using System.CommandLine;
using System.Diagnostics;
using OnnxInterp.Analysis.Ablation;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Progress;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Ablate;

/// <summary>Reads prompts and what to ablate, runs every variant as rows of one batch plan, and reports values and grids.</summary>
public sealed class AblateCommand
{
    readonly CliConsole console;
    readonly AblateCommandDefinition d;
    readonly ParseResult parse;
    readonly string modelPath;
    readonly string? output;
    readonly AblationMethod method;
    readonly int rowsPerRun;
    readonly Device device;
    readonly bool json;

    /// <summary>A variant with its label and, for sweeps, its cell in a grid.</summary>
    sealed record Variant(string Label, IReadOnlyList<PatchSite> Sites, string? Grid = null, int Row = 0, int Column = 0);

    public AblateCommand(AblateCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        modelPath = parse.GetRequiredValue(d.Model);
        output = parse.GetValue(d.Output);
        rowsPerRun = parse.GetValue(d.RowsPerRun);
        device = parse.GetValue(d.Device);
        json = parse.GetValue(d.Json);
        method = (parse.GetValue(d.Method) ?? "zero").ToLowerInvariant() switch
        {
            "zero" => AblationMethod.Zero,
            "mean" => AblationMethod.Mean,
            "resample" => AblationMethod.Resample,
            var other => throw new UsageException($"--method '{other}' is not an ablation method; use zero, mean or resample."),
        };
        if (rowsPerRun < 1) throw new UsageException($"--rows-per-run must be at least 1, not {rowsPerRun}.");
        int sources = new[] { parse.GetValue(d.Prompt) is { Length: > 0 }, parse.GetValue(d.Tokens) is { Length: > 0 }, parse.GetValue(d.Repeated) is not null, parse.GetValue(d.Ioi) is not null }.Count(given => given);
        if (sources == 0) throw new UsageException("nothing to run: give --prompt TEXT, --tokens IDS, --repeated N or --ioi N.");
        if (sources > 1) throw new UsageException("give one kind of prompts: --prompt, --tokens, --repeated or --ioi.");
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        var (prompts, metric) = ReadPrompts(model);
        var variants = ReadVariants(model.Map, prompts[0].Tokens.Count);
        var clock = Stopwatch.StartNew();
        AblationResult result;
        using (var sessions = new SessionCache(device, console.Notice))
        {
            try
            {
                result = EngineProgress.Run(console, parse.GetValue(d.Quiet), "ablate", "session runs", progress =>
                    Ablations.Run(model, new AblationRequest(prompts, [.. variants.Select(v => v.Sites)], method, metric),
                        new InterventionOptions(rowsPerRun, device, sessions, console.Notice, parse.GetValue(d.LogitsOutput), progress)));
            }
            catch (Exception e) when (e is ArgumentException or HookMapException)
            {
                // The plan is checked before the first run; what fails here is the user's sweep, site or prompt.
                throw new UsageException(e.Message);
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var rows = variants.Select((v, i) => new AblationVariantRow(v.Label, [.. v.Sites.Select(s => s.ToString())], result.Variants[i], result.Change(i), result.Ratio(i))).ToList();
        var grids = Grids(variants, result, MetricNames.Name(metric));
        var report = new AblateOutput(Path.GetFullPath(modelPath), device.ToString().ToLowerInvariant(), method.ToString().ToLowerInvariant(), MetricNames.Name(metric),
            prompts.Count, prompts[0].Tokens.Count, result.Baseline, rows, [.. grids.Select(g => g.Grid)], result.Runs, result.Rows, seconds, null);
        if (folder is not null)
        {
            var files = new List<string>();
            foreach (var (name, grid) in grids) files.AddRange(ReportFiles.WriteGrid(folder, name, grid));
            files.Add(Path.Combine(folder, "ablate.json"));
            files.Add(Path.Combine(folder, "ablate.csv"));
            report = report with { Files = files };
            ReportFiles.WriteTable(folder, "ablate", report, ["variant", "sites", "value", "change", "ratio"],
                rows.Select(r => (IReadOnlyList<object?>)[r.Label, string.Join(" ", r.Sites), r.Value, r.Change, r.Ratio]));
        }
        if (json) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    (List<MetricTarget> Prompts, MetricKind Metric) ReadPrompts(HookedModel model)
    {
        int seed = parse.GetValue(d.Seed);
        var metricText = parse.GetValue(d.Metric);
        if (parse.GetValue(d.Repeated) is { } count)
        {
            if (count < 1) throw new UsageException($"--repeated must be at least 1, not {count}.");
            int length = model.Map.Config.NCtx is > 0 and var ctx ? ctx : 48;
            if (length < 9) throw new UsageException($"the model's context ({length}) is too short for repeated segments.");
            var seqs = RepeatedTokens.RandomSegment(seed, count, length, model.Map.DVocab, 4, Math.Min(19, (length - 1) / 2));
            return ([.. seqs.Select(s => new MetricTarget([.. s.Tokens.Select(t => (long)t)], LossPositions: [.. s.SecondOccurrencePredictionPositions]))],
                metricText is null ? MetricKind.Loss : MetricNames.Parse(metricText));
        }
        if (parse.GetValue(d.Ioi) is { } n)
        {
            if (n < 1) throw new UsageException($"--ioi must be at least 1, not {n}.");
            if (!BosToken.UsesGpt2Vocabulary(model)) throw new UsageException($"--ioi needs a model with GPT-2's vocabulary; this one has {model.Map.DVocab} tokens.");
            int datasetSeed = int.TryParse(model.Model.Metadata("onnxinterp.ioi.dataset_seed"), out var s) ? s : IoiDataset.DefaultSeed;
            var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer(), datasetSeed), n, seed);
            return ([.. pairs.Select(p => new MetricTarget(p.Clean, -1, p.Answer, p.Wrong))], metricText is null ? MetricKind.LogitDiff : MetricNames.Parse(metricText));
        }
        bool noBos = parse.GetValue(d.NoBos);
        var texts = parse.GetValue(d.Prompt);
        var ids = texts is { Length: > 0 }
            ? texts.Select(t => AnalysisInputs.ReadTokens(model, t, null, noBos)!).ToList()
            : parse.GetValue(d.Tokens)!.Select(t => AnalysisInputs.ReadTokens(model, null, t, noBos)!).ToList();
        for (int i = 1; i < ids.Count; i++)
            if (ids[i].Length != ids[0].Length)
                throw new UsageException($"prompt 1 is {ids[0].Length} tokens but prompt {i + 1} is {ids[i].Length}; prompts ablated together must have the same token length.");
        var answer = AnalysisInputs.ReadToken(model, parse.GetValue(d.Answer), parse.GetValue(d.AnswerId), "--answer");
        var wrong = AnalysisInputs.ReadToken(model, parse.GetValue(d.Wrong), parse.GetValue(d.WrongId), "--wrong");
        var metric = metricText is null ? MetricKind.Loss : MetricNames.Parse(metricText);
        if (metric == MetricKind.LogitDiff && (answer is null || wrong is null)) throw new UsageException("--metric logit-diff needs --answer and --wrong.");
        if (metric is MetricKind.Probability or MetricKind.Rank && answer is null) throw new UsageException($"--metric {MetricNames.Name(metric)} needs --answer.");
        if (ids[0].Length < 2 && answer is null) throw new UsageException("a one-token prompt has no next token to score; give --answer or a longer prompt.");
        // Without an answer, loss / KL / accuracy average over every next-token prediction inside the prompt.
        IReadOnlyList<int>? lossPositions = answer is null ? [.. Enumerable.Range(0, ids[0].Length - 1)] : null;
        return ([.. ids.Select(t => new MetricTarget([.. t.Select(x => (long)x)], -1, answer ?? -1, wrong ?? -1, lossPositions))], metric);
    }

    List<Variant> ReadVariants(HookMap map, int positions)
    {
        var variants = new List<Variant>();
        var sites = parse.GetValue(d.Site);
        if (sites is { Length: > 0 })
        {
            var parsed = sites.Select(SiteSyntax.Parse).ToList();
            variants.Add(new Variant(string.Join(" + ", parsed), parsed));
        }
        if (parse.GetValue(d.Layers))
            foreach (var part in new[] { "attn_out", "mlp_out" })
                for (int l = 0; l < map.NLayers; l++)
                    if (map.Contains($"blocks.{l}.hook_{part}"))
                        variants.Add(new Variant($"L{l} {part}", [Ablations.Layer(l, part)], "layers", l, part == "attn_out" ? 0 : 1));
        if (parse.GetValue(d.Neurons) is { } layer)
        {
            if (layer < 0 || layer >= map.NLayers || map.DMlp == 0 || !map.Contains($"blocks.{layer}.mlp.hook_post"))
                throw new UsageException($"--neurons {layer}: the model has no blocks.{layer}.mlp.hook_post (layers 0..{map.NLayers - 1}, d_mlp {map.DMlp}).");
            for (int n = 0; n < map.DMlp; n++) variants.Add(new Variant($"L{layer}N{n}", [Ablations.Neuron(layer, n)], "neurons", 0, n));
        }
        if (parse.GetValue(d.Positions) is { } hook)
        {
            if (!map.Contains(hook)) throw new UsageException($"--positions {hook}: {map.Get(hook)}");
            for (int p = 0; p < positions; p++) variants.Add(new Variant($"{hook}@{p}", [Ablations.Position(hook, p)], "positions", 0, p));
        }
        if (parse.GetValue(d.Heads) || variants.Count == 0)
            for (int l = 0; l < map.NLayers; l++)
                for (int h = 0; h < map.NHeads; h++)
                    variants.Add(new Variant($"L{l}H{h}", [Ablations.Head(l, h)], "heads", l, h));
        return variants;
    }

    static List<(string Name, GridResult Grid)> Grids(List<Variant> variants, AblationResult result, string metric)
    {
        var grids = new List<(string, GridResult)>();
        foreach (var group in variants.Select((v, i) => (v, i)).Where(x => x.v.Grid is not null).GroupBy(x => x.v.Grid!))
        {
            int rows = group.Max(x => x.v.Row) + 1, columns = group.Max(x => x.v.Column) + 1;
            var values = Enumerable.Range(0, rows).Select(_ => Enumerable.Repeat(double.NaN, columns).ToArray()).ToArray();
            foreach (var (v, i) in group) values[v.Row][v.Column] = result.Variants[i];
            var (rowAxis, columnAxis, columnLabels) = group.Key switch
            {
                "heads" => ("layer", "head", GridResult.Indices(columns)),
                "layers" => ("layer", "sublayer", (IReadOnlyList<string>)new[] { "attn_out", "mlp_out" }[..columns]),
                "neurons" => ("layer", "neuron", GridResult.Indices(columns)),
                _ => ("hook", "pos", GridResult.Indices(columns)),
            };
            var first = group.First().v.Sites[0].Hook;
            var rowLabels = group.Key is "heads" or "layers" ? GridResult.Indices(rows) : [first];
            grids.Add((group.Key, new GridResult($"{group.Key}: {metric} after {result.Method.ToString().ToLowerInvariant()} ablation (baseline {result.Baseline:G4})",
                rowAxis, columnAxis, rowLabels, columnLabels, values, metric).Checked()));
        }
        return grids;
    }

    void WriteText(AblateOutput r)
    {
        var w = console.Out;
        w.WriteLine($"{r.Method} ablation over {r.Prompts} prompt{(r.Prompts == 1 ? "" : "s")} of {r.Positions} tokens, metric {r.Metric}: baseline {r.Baseline:G5}");
        w.WriteLine($"{r.Runs} session runs, {r.Rows} batch rows, {r.Seconds:F2} s");
        int width = Math.Max(8, r.Variants.Max(v => v.Label.Length));
        w.WriteLine($"{"variant".PadRight(width)} {"value",10} {"change",10} {"ratio",8}");
        foreach (var v in r.Variants.Take(r.Variants.Count > 60 ? 60 : r.Variants.Count))
            w.WriteLine($"{v.Label.PadRight(width)} {v.Value,10:G5} {v.Change,10:G4} {v.Ratio,8:F3}");
        if (r.Variants.Count > 60) w.WriteLine($"... {r.Variants.Count - 60} more (see --json or -o)");
        if (r.Files is { } files) foreach (var f in files) w.WriteLine($"wrote {f}");
    }
}
