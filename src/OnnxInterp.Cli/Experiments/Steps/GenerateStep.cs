using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Cli.Commands.Generate;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// <c>"step": "generate"</c>: continues each clean prompt, as the <c>generate</c> verb (past key/values where the graph has
/// them), with the same ablations and steering vectors applied at every step; all prompts are rows of each step's plan.
/// </summary>
public sealed record GenerateStep : StepSpec
{
    public override string Kind => "generate";
    public int MaxNewTokens { get; init; } = 20;
    public double? Temperature { get; init; }
    public int? TopK { get; init; }
    public double? TopP { get; init; }
    public bool UsePast { get; init; } = true;
    public IReadOnlyList<string> Ablate { get; init; } = [];
    public string AblateMethod { get; init; } = "zero";
    public IReadOnlyList<string> Steer { get; init; } = [];
    public double Alpha { get; init; } = 1;
    public string SteerAt { get; init; } = "all";

    internal override PlannedStep Plan(SpecPlanner planner, string field)
    {
        var model = planner.Model(this, field);
        if (MaxNewTokens < 1) throw new SpecException(field + ".maxNewTokens", $"must be at least 1, not {MaxNewTokens}.");
        if (AblateMethod is not ("zero" or "mean")) throw new SpecException(field + ".ablateMethod", $"must be zero or mean, not '{AblateMethod}'.");
        bool sampled = Temperature is not null || TopK is not null || TopP is not null;
        int seed = planner.Seed(this);
        var sampling = sampled ? SamplingSettings.Sample(Temperature ?? 1.0, TopK ?? 0, TopP ?? 1.0, seed) : SamplingSettings.GreedyDecoding;
        SpecPlanner.At(field, () => { sampling.Check(); return 0; });
        var scope = SpecPlanner.At(field + ".steerAt", () => GenerationInterventions.ParseScope(SteerAt));
        // Steering files are relative to the spec, like every file it names.
        var steer = Steer.Select((text, i) => text.IndexOf('=') is var eq and > 0
            ? $"{text[..eq]}={planner.ExistingFile(text[(eq + 1)..], $"{field}.steer[{i}]")}"
            : throw new SpecException($"{field}.steer[{i}]", $"'{text}' must be HOOK=VECTOR.safetensors.")).ToList();
        var prompts = planner.Prompts(this, model, field);
        var modelPath = planner.ModelPath(this, field);
        var hookMap = planner.Spec.HookMap is { } map ? planner.ExistingFile(map, "hookMap") : null;
        return new PlannedStep(Name ?? "generate", Kind, modelPath, run =>
        {
            var options = new InterventionOptions(Device: run.Device, Log: run.Notice);
            using var generator = Generator.Load(modelPath, hookMap, options);
            var hooked = generator.Engine.Model;
            var rows = prompts.Items.Select(p =>
            {
                var writes = Ablate.Select(a => GenerationInterventions.Ablation(a, AblateMethod, hooked, p.Clean, options))
                    .Concat(steer.Select(s => GenerationInterventions.Steering(s, Alpha, scope, hooked.Map))).ToList();
                return (Row: new GenerationRow(p.Clean, [.. writes.Select(w => w.Write)]), Labels: writes.Select(w => w.Label).ToList());
            }).ToList();
            bool gpt2 = BosToken.UsesGpt2Vocabulary(hooked);
            var result = generator.Generate(new GenerationRequest([.. rows.Select(r => r.Row)], MaxNewTokens, sampling, gpt2 ? [GenerationRequest.EndOfText] : [], UsePast));
            var sequences = result.Sequences.Select(s => new GeneratedRow(s.Prompt, s.NewTokens, gpt2 ? string.Concat(s.NewTokens.Select(Gpt2Tokens.Decode)) : null,
                s.Stopped, [.. s.Steps.Select(x => x.Probability)])).ToList();
            var output = new GenerateStepOutput(run.ModelPath, generator.Engine.Device.ToString().ToLowerInvariant(), sampled ? "sampled" : "greedy", result.UsedPast,
                rows.FirstOrDefault().Labels ?? [], sequences);
            var table = new TableResult("texts", $"{MaxNewTokens} new tokens per prompt ({output.Sampling}{(output.Interventions.Count > 0 ? "; " + string.Join("; ", output.Interventions) : "")})",
                ["prompt", "new tokens", "text"], [.. sequences.Select((s, i) => (IReadOnlyList<object?>)[i, string.Join(" ", s.NewTokens), s.Text])]);
            return new StepOutcome(output, seed, StepPrompts.Of(model, prompts), [table], []);
        });
    }
}

/// <summary>A generate step's result: how it sampled, whether past key/values were used, the interventions, and each prompt's continuation.</summary>
public sealed record GenerateStepOutput(string Model, string Device, string Sampling, bool UsedPast, IReadOnlyList<string> Interventions, IReadOnlyList<GeneratedRow> Sequences);

/// <summary>One continuation: the prompt, the new tokens (without the stop token), their text, whether it stopped at end of text, each step's probability.</summary>
public sealed record GeneratedRow(IReadOnlyList<long> Prompt, IReadOnlyList<long> NewTokens, string? Text, bool Stopped, IReadOnlyList<double> Probabilities);
