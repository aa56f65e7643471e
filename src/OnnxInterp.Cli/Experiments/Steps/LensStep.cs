using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "lens"</c>: the logit lens at one position, as the <c>lens</c> verb. The prompt is the step's own
/// (<c>prompt</c> or <c>tokens</c>, with <c>answer</c>), else the first prompt of the step's or spec's prompts.
/// </summary>
public sealed record LensStep : StepSpec
{
    public override string Kind => "lens";
    public string? Prompt { get; init; }
    public IReadOnlyList<int>? Tokens { get; init; }
    public bool NoBos { get; init; }
    public string? Answer { get; init; }
    public int? AnswerId { get; init; }
    public int? Position { get; init; }
    public int TopK { get; init; } = 5;

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        if (TopK < 1) throw new SpecException(field + ".topK", $"must be at least 1, not {TopK}.");
        if (!model.Map.Parameters.ContainsKey("W_U"))
            throw new SpecException(field, "the model has no unembedding (W_U) that the hook map records, so there are no logits to read the residual stream with.");
        long[] ids;
        int? answer;
        int? seed = null;
        if (Prompt is not null || Tokens is not null)
        {
            if (Prompt is not null && Tokens is not null) throw new SpecException(field + ".prompt", "give either \"prompt\" or \"tokens\", not both.");
            ids = Prompt is not null
                ? [.. SpecPlanner.At(field + ".prompt", () => AnalysisInputs.ReadTokens(model, Prompt, null, NoBos))!.Select(t => (long)t)]
                : [.. SpecPlanner.At(field + ".tokens", () => AnalysisInputs.ReadTokens(model, null, string.Join(",", Tokens!), NoBos))!.Select(t => (long)t)];
            answer = SpecPlanner.At(field + ".answer", () => AnalysisInputs.ReadToken(model, Answer, AnswerId, "answer"));
        }
        else
        {
            var resolved = planner.Prompts(this, model, field);
            ids = resolved.Items[0].Clean;
            seed = resolved.Seed;
            answer = SpecPlanner.At(field + ".answer", () => AnalysisInputs.ReadToken(model, Answer, AnswerId, "answer"))
                ?? (resolved.Items[0].Answer is >= 0 and var a ? (int)a : null);
        }
        int pos = Position is { } p ? p < 0 ? ids.Length + p : p : ids.Length - 1;
        if (pos < 0 || pos >= ids.Length) throw new SpecException(field + ".position", $"{Position} is outside the {ids.Length} tokens.");
        return new PlannedStep(Name ?? "lens", Kind, planner.ModelPath(this, field), run => Run(model, [.. ids.Select(t => (int)t)], pos, answer, seed, run));
    }

    StepOutcome Run(HookedModel model, int[] ids, int pos, int? answer, int? seed, StepRunContext run)
    {
        var head = Unembedding.From(model);
        using var capture = new HookCapture(model, LogitLens.Hooks(model.Map), run.Device, run.Notice);
        var lens = LogitLens.Compute(capture.Run([ids]), capture.Map, head, 0, pos, answer, TopK);
        var rows = lens.Layers.Select(l => new LensLayerRow(l.Label, l.Hook,
            [.. l.Top.Select(t => new LensTokenRow(t.Id, AnalysisInputs.Text(model, t.Id), t.Logit, t.Probability))],
            l.Answer?.Logit, l.Answer?.Probability, l.Answer?.Rank)).ToList();
        var tokens = ids.Select(i => AnalysisInputs.Text(model, i)).ToList();
        var output = new LensOutput(run.ModelPath, capture.Device.ToString().ToLowerInvariant(), ids, tokens, pos, answer,
            answer is { } a ? AnalysisInputs.Text(model, a) : null, rows, lens.FinalMaxAbsError, lens.LogitScale, null);
        var table = new TableResult("layers", $"logit lens at position {pos} ({AnalysisInputs.Quoted(tokens[pos])})" + (answer is { } x ? $", answer {AnalysisInputs.Quoted(AnalysisInputs.Text(model, x))}" : ""),
            ["label", "hook", "rank", "token_id", "token", "logit", "probability", "answer_logit", "answer_probability", "answer_rank"],
            [.. rows.SelectMany(r => r.Top.Select((t, i) => (IReadOnlyList<object?>)[r.Label, r.Hook, i + 1, t.Id, t.Token, t.Logit, t.Probability, r.AnswerLogit, r.AnswerProbability, r.AnswerRank]))]);
        var grids = new List<NamedGrid>();
        if (answer is not null)
            grids.Add(new NamedGrid("answer-probability", GridResult.From("Logit lens: the answer's probability at each layer", "answer", "layer",
                [AnalysisInputs.Text(model, answer.Value)], [.. rows.Select(r => r.Label)], (_, c) => rows[c].AnswerProbability ?? double.NaN, "probability")));
        return new StepOutcome(output, seed, [StepPrompts.Row(model, "prompt", ids)], [table], grids);
    }
}
