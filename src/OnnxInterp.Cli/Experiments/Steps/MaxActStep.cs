using System.Diagnostics;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.MaxAct;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.MaxAct;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "maxact"</c>: the top-k contexts of neurons (<c>HOOK:N</c>) and heads (<c>L.H</c>) over the dataset (the
/// step's <c>data</c>, else the spec's), as the <c>maxact</c> verb; the report colours each context's tokens by activation.
/// </summary>
public sealed record MaxActStep : StepSpec
{
    public override string Kind => "maxact";
    public string? Data { get; init; }
    public IReadOnlyList<string>? Neurons { get; init; }
    public IReadOnlyList<string>? Heads { get; init; }
    public string HeadMetric { get; init; } = "norm";
    public int K { get; init; } = 10;
    public int BatchSize { get; init; } = 16;
    public long? MaxExamples { get; init; }
    public int? MaxLength { get; init; }
    public int Context { get; init; } = 12;
    public int After { get; init; } = 4;
    public bool NoBos { get; init; }

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        var data = Data is not null ? planner.ExistingFile(Data, field + ".data")
            : planner.Spec.Data is { } shared ? planner.ExistingFile(shared, "data")
            : throw new SpecException(field + ".data", "the maxact step needs a dataset: give \"data\" (a text file, one example per line) in the step or at the top of the spec.");
        if (K < 1) throw new SpecException(field + ".k", $"must be at least 1, not {K}.");
        if (BatchSize < 1) throw new SpecException(field + ".batchSize", $"must be at least 1, not {BatchSize}.");
        if (Context < 0) throw new SpecException(field + ".context", $"must be 0 or more, not {Context}.");
        if (After < 0) throw new SpecException(field + ".after", $"must be 0 or more, not {After}.");
        if (MaxExamples is < 1) throw new SpecException(field + ".maxExamples", $"must be at least 1, not {MaxExamples}.");
        if (HeadMetric is not ("norm" or "attention")) throw new SpecException(field + ".headMetric", $"must be norm or attention, not '{HeadMetric}'.");
        var targets = new List<MaxActTarget>();
        for (int i = 0; i < (Neurons?.Count ?? 0); i++)
            targets.Add(Neuron(model.Map, Neurons![i], $"{field}.neurons[{i}]"));
        for (int i = 0; i < (Heads?.Count ?? 0); i++)
        {
            var parts = Heads![i].Split('.');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int layer) || !int.TryParse(parts[1], out int head)
                || layer < 0 || layer >= model.Map.NLayers || head < 0 || head >= model.Map.NHeads)
                throw new SpecException($"{field}.heads[{i}]", $"'{Heads[i]}' is not LAYER.HEAD with layer 0..{model.Map.NLayers - 1} and head 0..{model.Map.NHeads - 1}.");
            targets.Add(MaxActTarget.Head(layer, head, HeadMetric == "attention"));
        }
        if (targets.Count == 0) throw new SpecException(field + ".neurons", "nothing to look for: give \"neurons\" (HOOK:N) or \"heads\" (L.H).");
        int maxLength = MaxLength ?? (model.Map.Config.NCtx > 0 ? model.Map.Config.NCtx : 1024);
        if (maxLength < 1) throw new SpecException(field + ".maxLength", $"must be at least 1, not {maxLength}.");
        return new PlannedStep(Name ?? "maxact", Kind, planner.ModelPath(this, field), run => Run(model, data, targets, maxLength, run)) { SplitsAcrossShards = true };
    }

    static MaxActTarget Neuron(HookMap map, string spec, string field)
    {
        MaxActTarget target;
        try { target = MaxActTarget.Parse(spec); }
        catch (FormatException e) { throw new SpecException(field, e.Message); }
        if (!map.Contains(target.Hook))
            throw new SpecException(field, $"the model has no hook '{target.Hook}'. Closest: {string.Join(", ", HookNames.Closest(target.Hook, map.Points.Select(p => p.Name.Value)))}.");
        int units = target.Hook.EndsWith("mlp.hook_post", StringComparison.Ordinal) || target.Hook.EndsWith("mlp.hook_pre", StringComparison.Ordinal) ? map.DMlp
            : target.Hook.Contains("resid") || target.Hook.EndsWith("_out", StringComparison.Ordinal) ? map.DModel : 0;
        if (units > 0 && target.Index >= units)
            throw new SpecException(field, $"'{target.Hook}' has {units} units; {target.Index} is outside 0..{units - 1}.");
        return target;
    }

    IEnumerable<TokenExample> Read(HookedModel model, StreamReader reader, int maxLength) =>
        TokenLines.Read(reader, BosToken.UsesGpt2Vocabulary(model) ? Gpt2Tokens.Encode : null, NoBos ? null : BosToken.Of(model), maxLength, model.Map.DVocab);

    /// <summary>This shard's batches of the first maxExamples examples: the search then batches them exactly as one run would.</summary>
    IEnumerable<TokenExample> ShardOf(IEnumerable<TokenExample> examples, Shard? shard)
    {
        var limited = MaxExamples is { } max ? examples.Take((int)Math.Min(max, int.MaxValue)) : examples;
        return shard is null ? limited : limited.Chunk(BatchSize).Where((_, batch) => shard.RunsBatch(batch)).SelectMany(b => b);
    }

    StepOutcome Run(HookedModel model, string data, List<MaxActTarget> targets, int maxLength, StepRunContext run)
    {
        var options = new MaxActOptions(K, BatchSize, Context, After, null);
        using var capture = new HookCapture(model, targets.Select(t => t.Hook).Distinct(), run.Device, run.Notice);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<MaxActTargetResult> results;
        long examples = 0, tokens = 0;
        using (var reader = new StreamReader(data))
        {
            try
            {
                results = MaxActSearch.Run(ShardOf(Read(model, reader, maxLength), run.Shard), targets, capture.Run, options,
                    new Progress(p => (examples, tokens) = (p.Examples, p.Tokens)));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{data}: {e.Message}", e);
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var rows = results.Select(r => new MaxActTargetRow(r.Target.Label, r.Target.Kind.ToString(), r.Target.Hook,
            [.. r.Examples.Select((e, i) => Row(model, e, i + 1))])).ToList();
        var output = new MaxActOutput(run.ModelPath, capture.Device.ToString().ToLowerInvariant(), data, examples, tokens, seconds, K, rows, null);
        var table = Table(rows, K, examples);
        var texts = MaxActTexts.Of(model, results, capture.Run, () => new StreamReader(data), r => Read(model, r, maxLength));
        return new StepOutcome(output, null, [], [table], [], Texts: texts);
    }

    /// <summary>The report's table of top contexts (also rebuilt by <c>merge</c> from merged rows).</summary>
    internal static TableResult Table(IReadOnlyList<MaxActTargetRow> rows, int k, long examples) =>
        new("examples", $"top {k} contexts per target over {examples} examples",
            ["target", "rank", "activation", "example", "line", "position", "token", "key_position", "context"],
            [.. rows.SelectMany(t => t.Examples.Select(e => (IReadOnlyList<object?>)[t.Target, e.Rank, e.Activation, e.Example, e.Line, e.Position, e.Token, e.KeyPosition, e.Context]))]);

    static MaxActExampleRow Row(HookedModel model, MaxActExample e, int rank)
    {
        var text = e.Context.Select((t, i) =>
        {
            var s = AnalysisInputs.Text(model, t).Replace("\n", "\\n");
            int pos = e.ContextStart + i;
            return pos == e.Position ? $"[[{s}]]" : pos == e.KeyPosition ? $"{{{{{s}}}}}" : s;
        });
        var separator = BosToken.UsesGpt2Vocabulary(model) ? "" : " ";
        return new MaxActExampleRow(rank, e.Activation, e.Example, e.Line, e.Position, AnalysisInputs.Text(model, e.Context[e.Position - e.ContextStart]),
            e.KeyPosition, string.Join(separator, text), e.ContextStart, e.Context);
    }

    /// <summary>Records the search's last progress synchronously (Progress&lt;T&gt; would post to a thread pool).</summary>
    sealed class Progress(Action<MaxActProgress> report) : IProgress<MaxActProgress>
    {
        public void Report(MaxActProgress value) => report(value);
    }
}
