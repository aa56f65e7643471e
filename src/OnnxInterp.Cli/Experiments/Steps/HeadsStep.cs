using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Heads;
using OnnxInterp.Cli.Commands.Heads;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "heads"</c>: previous-token, duplicate-token and induction scores per head on repeated random tokens
/// [BOS, r, r], as the <c>heads</c> verb, with a layer x head grid per detector and the attention patterns of the first
/// <c>view</c> sequences for the report's attention view.
/// </summary>
public sealed record HeadsStep : StepSpec
{
    static readonly (string Name, HeadKind Kind)[] All =
        [("previous-token", HeadKind.PreviousToken), ("duplicate-token", HeadKind.DuplicateToken), ("induction", HeadKind.Induction)];

    public override string Kind => "heads";
    public IReadOnlyList<string>? Detect { get; init; }
    public int Sequences { get; init; } = 8;
    public int? Length { get; init; }
    public bool ExcludeBos { get; init; }
    public bool ExcludeCurrentToken { get; init; }
    public int BatchSize { get; init; } = 16;
    /// <summary>How many of the sequences the attention view shows (default all; 0 for none).</summary>
    public int? View { get; init; }

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        var detectors = new List<(string Name, HeadKind Kind)>();
        var asked = Detect ?? [.. All.Select(a => a.Name)];
        for (int i = 0; i < asked.Count; i++)
            detectors.Add(All.FirstOrDefault(a => a.Name == asked[i]) is { Name: not null } d ? d
                : throw new SpecException($"{field}.detect[{i}]", $"'{asked[i]}' is not a detector; use induction, previous-token or duplicate-token."));
        if (detectors.Count == 0) throw new SpecException(field + ".detect", "is empty; name at least one detector.");
        if (Sequences < 1) throw new SpecException(field + ".sequences", $"must be at least 1, not {Sequences}.");
        if (BatchSize < 1) throw new SpecException(field + ".batchSize", $"must be at least 1, not {BatchSize}.");
        if (View is < 0) throw new SpecException(field + ".view", $"must be 0 or more, not {View}.");
        int half = Length ?? RepeatedRandomTokens.DefaultHalfLength(model.Map.Config);
        if (half < 1) throw new SpecException(field + ".length", $"must be at least 1, not {half}.");
        if (model.Map.Config.NCtx > 0 && 1 + 2 * half > model.Map.Config.NCtx)
            throw new SpecException(field + ".length", $"sequences of 1 + 2 x {half} tokens do not fit the model's context window of {model.Map.Config.NCtx}; use at most {(model.Map.Config.NCtx - 1) / 2}.");
        int seed = Seed ?? planner.Spec.Seed;
        var rows = RepeatedRandomTokens.For(model, Sequences, half, seed);
        return new PlannedStep(Name ?? "heads", Kind, planner.ModelPath(this, field), run => Run(model, detectors, rows, half, seed, run));
    }

    StepOutcome Run(HookedModel model, List<(string Name, HeadKind Kind)> detectors, int[][] rows, int half, int seed, StepRunContext run)
    {
        using var capture = new HookCapture(model, HeadScan.Hooks(model.Map), run.Device, run.Notice);
        var results = detectors.Select(x => (x.Name, Scores: HeadScan.Run(capture, x.Kind, rows, BatchSize, ExcludeBos, ExcludeCurrentToken))).ToList();
        var data = $"{rows.Length} x [BOS, r, r] with {half} random tokens r, seed {seed}";
        var output = new HeadsOutput(run.ModelPath, capture.Device.ToString().ToLowerInvariant(), data, rows.Length, rows.Max(r => r.Length), ExcludeBos, ExcludeCurrentToken,
            [.. results.Select(r => new HeadDetectionRow(r.Name, r.Scores.Scores, [.. r.Scores.Ranked().Take(5).Select(x => new HeadScoreRow(x.Layer, x.Head, x.Score))]))], null);
        var grids = results.Select(r => new NamedGrid(r.Name, GridResult.From($"{r.Name} score per head", "layer", "head", GridResult.Indices(r.Scores.Layers),
            GridResult.Indices(r.Scores.Heads), (l, h) => r.Scores[l, h], $"{r.Name} score") with { FixedRange = new GridRange(0, 1) })).ToList();
        var prompts = rows.Select((r, i) => StepPrompts.Row(model, $"sequence {i}", r)).ToList();
        var view = View == 0 ? null
            : AttentionViews.Of(model, capture, [.. rows.Take(View ?? rows.Length)], [.. results.Select(r => (r.Name, r.Scores))], $"Attention patterns on {data}", BatchSize);
        return new StepOutcome(output, seed, prompts, [], grids, view);
    }

}
