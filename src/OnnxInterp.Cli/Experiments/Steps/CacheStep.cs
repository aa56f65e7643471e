using OnnxInterp.Analysis;
using OnnxInterp.Cli.Commands.Cache;
using OnnxInterp.Cli.Common;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "cache"</c>: runs the clean prompts as one batch and saves the hooks matching <c>expose</c> (names or globs)
/// to <c>OUTDIR/NAME.safetensors</c> under their hook names, as the <c>cache</c> verb; results.json lists each tensor's shape.
/// </summary>
public sealed record CacheStep : StepSpec
{
    public override string Kind => "cache";
    public IReadOnlyList<string> Expose { get; init; } = [];

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        if (Expose.Count == 0) throw new SpecException(field + ".expose", "is empty; give hook names or globs, e.g. \"blocks.*.attn.hook_pattern\".");
        for (int i = 0; i < Expose.Count; i++)
        {
            try { model.Prepare([Expose[i]]); }
            catch (HookMapException e) { throw new SpecException($"{field}.expose[{i}]", e.Message); }
        }
        var prompts = planner.Prompts(this, model, field);
        return new PlannedStep(Name ?? "cache", Kind, planner.ModelPath(this, field), run => Run(model, prompts, run));
    }

    StepOutcome Run(HookedModel model, ResolvedPrompts prompts, StepRunContext run)
    {
        using var capture = new HookCapture(model, Expose, run.Device, run.Notice);
        var captured = capture.Run([.. prompts.Items.Select(p => (IReadOnlyList<int>)[.. p.Clean.Select(t => (int)t)])]);
        var path = Path.Combine(run.OutputFolder, run.Name + ".safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["model"] = run.ModelPath, ["tool"] = "onnxinterp", ["patterns"] = string.Join(" ", Expose), ["prompts"] = prompts.Description,
            ["token_ids"] = string.Join(";", prompts.Items.Select(p => string.Join(",", p.Clean))),
        };
        new ActivationCache(captured.Values).Save(path, metadata);
        var output = new CacheOutput(run.ModelPath, path, capture.Device.ToString().ToLowerInvariant(), null, null, Expose,
            [.. captured.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new CachedTensorRow(t.Name, TensorTypeView.Of(t)))]);
        var table = new TableResult("tensors", $"cached tensors ({prompts.Description}), saved to {Path.GetFileName(path)}", ["name", "type"],
            [.. output.Tensors.Select(t => (IReadOnlyList<object?>)[t.Name, t.Type.ToString()])]);
        return new StepOutcome(output, prompts.Seed, StepPrompts.Of(model, prompts), [table], [], Files: [path]);
    }
}
