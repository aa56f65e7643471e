using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Attribution;
using OnnxInterp.Cli.Commands.Attribute;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "attribute"</c>: direct logit attribution of logit(answer) - logit(wrong) (or the answer's logit alone),
/// averaged over the clean prompts, as the <c>attribute</c> verb; by head (with a layer x head grid) or by layer.
/// </summary>
public sealed record AttributeStep : StepSpec
{
    public override string Kind => "attribute";
    public string By { get; init; } = "head";
    public int Top { get; init; } = 10;
    public int BatchSize { get; init; } = 16;

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        bool perHead = By switch
        {
            "head" => true,
            "layer" => false,
            _ => throw new SpecException(field + ".by", $"must be head or layer, not '{By}'."),
        };
        if (Top < 1) throw new SpecException(field + ".top", $"must be at least 1, not {Top}.");
        if (BatchSize < 1) throw new SpecException(field + ".batchSize", $"must be at least 1, not {BatchSize}.");
        if (!model.Map.Parameters.ContainsKey("W_U"))
            throw new SpecException(field, "the model has no unembedding (W_U) that the hook map records, so there is no answer direction to attribute to.");
        var prompts = planner.Prompts(this, model, field);
        if (prompts.Items.Any(p => p.Answer < 0)) throw new SpecException(field + ".prompts", "attribution needs \"answer\" (and usually \"wrong\") in every prompt.");
        var attribution = prompts.Items.Select(p => new AttributionPrompt([.. p.Clean.Select(t => (int)t)], p.Clean.Length - 1, (int)p.Answer, p.Wrong >= 0 ? (int)p.Wrong : null)).ToList();
        return new PlannedStep(Name ?? "attribute", Kind, planner.ModelPath(this, field), run => Run(model, perHead, attribution, prompts, run));
    }

    StepOutcome Run(HookedModel model, bool perHead, IReadOnlyList<AttributionPrompt> prompts, ResolvedPrompts resolved, StepRunContext run)
    {
        var dla = new DirectLogitAttribution(model, perHead);
        using var capture = new HookCapture(model, dla.Hooks, run.Device, run.Notice);
        var result = dla.Run(capture, prompts, BatchSize);
        static AttributeComponentRow Row(AttributionComponent c) => new(c.Label, c.Kind, c.Layer, c.Head, c.Value);
        var direction = prompts.All(p => p.Wrong is not null) ? "logit(answer) - logit(wrong)" : "logit(answer)";
        var output = new AttributeOutput(run.ModelPath, capture.Device.ToString().ToLowerInvariant(), $"{direction}, mean over {resolved.Description}", result.Samples,
            prompts.Count == 1 ? prompts[0].Tokens : null, prompts.Count == 1 ? prompts[0].Position : null,
            [.. result.Components.Select(Row)], [.. result.Ranked().Take(Top).Select(Row)], result.MeanTotal, result.MeanActual, result.MaxError, null);
        var table = new TableResult("components", $"direct logit attribution of {direction}: sum {result.MeanTotal:G5}, model {result.MeanActual:G5}",
            ["label", "kind", "layer", "head", "value"], [.. output.Components.Select(c => (IReadOnlyList<object?>)[c.Label, c.Kind, c.Layer, c.Head, c.Value])]);
        var grids = new List<NamedGrid>();
        var heads = output.Components.Where(c => c.Kind == "head").ToDictionary(c => (c.Layer!.Value, c.Head!.Value), c => c.Value);
        if (heads.Count > 0)
            grids.Add(new NamedGrid("heads", GridResult.From($"Direct logit attribution per head ({direction})", "layer", "head",
                GridResult.Indices(model.Map.NLayers), GridResult.Indices(model.Map.NHeads), (l, h) => heads.GetValueOrDefault((l, h), double.NaN), "logit attribution")));
        return new StepOutcome(output, resolved.Seed, StepPrompts.Of(model, resolved), [table], grids);
    }
}
