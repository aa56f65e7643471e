using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using OnnxInterp.Graph;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// Runs a checked plan step by step on one device (auto is resolved once, before the first step, so every step and
/// results.json agree on it) and gathers results.json's record. Progress goes to <paramref name="progress"/>.
/// </summary>
internal static class ExperimentRunner
{
    public static ExperimentResults Run(ExperimentPlan plan, JsonElement specJson, string outputFolder, IExperimentProgress progress, Shard? shard = null)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var device = Resolve(plan, progress.Notice);
        var steps = new List<StepResult>();
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            if (shard is not null && !step.SplitsAcrossShards && !shard.RunsStep(i))
            {
                progress.StepFinished(i, plan.Steps.Count, step.Kind, step.Name, 0);
                continue;
            }
            progress.StepStarted(i, plan.Steps.Count, step.Kind, step.Name);
            var stepClock = Stopwatch.StartNew();
            var outcome = step.Run(new StepRunContext(device, step.Name, outputFolder, step.ModelPath, progress.Notice, shard));
            double seconds = stepClock.Elapsed.TotalSeconds;
            var caption = Caption(step.ModelPath, outcome.Prompts);
            steps.Add(new StepResult(step.Name, step.Kind, step.ModelPath, seconds, outcome.Seed, outcome.Prompts, outcome.Result,
                outcome.Tables, [.. outcome.Grids.Select(g => g with { Grid = g.Grid with { Caption = g.Grid.Caption ?? caption } })],
                outcome.Attention, outcome.Texts, outcome.Files) { Index = i });
            progress.StepFinished(i, plan.Steps.Count, step.Kind, step.Name, seconds);
        }
        var models = plan.Models.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => ModelHashes.Of(m.Key, m.Value)).ToList();
        return new ExperimentResults("onnxinterp", ToolVersion.Version, ToolVersion.Commit, $".NET {Environment.Version}, {RuntimeInformation.OSDescription}",
            Path.GetFullPath(plan.SpecPath), ModelHashes.Sha256(plan.SpecPath), specJson, models,
            plan.Spec.Device.ToLowerInvariant(), device.ToString().ToLowerInvariant(), plan.Spec.Seed, started, clock.Elapsed.TotalSeconds, steps) { Shard = shard };
    }

    /// <summary>What a heatmap's caption says: the model, and the first prompt (how many more there are).</summary>
    static string Caption(string model, IReadOnlyList<PromptTokens> prompts)
    {
        if (prompts.Count == 0) return Path.GetFileName(model);
        // GPT-2 token texts carry their own spaces; ids (a model with its own vocabulary) need them.
        var tokens = prompts[0].Tokens;
        var text = string.Join(tokens.All(t => int.TryParse(t, out _)) ? " " : "", tokens).Replace("\n", " ");
        if (text.Length > 70) text = text[..69] + "…";
        return $"{Path.GetFileName(model)}; {prompts[0].Role}: \"{text}\"" + (prompts.Count > 1 ? $" (+{prompts.Count - 1} more)" : "");
    }

    /// <summary>auto tries CUDA once on the first step's model (falling back with one notice); cpu and cuda are used as given.</summary>
    static Device Resolve(ExperimentPlan plan, Action<string> notice)
    {
        if (plan.Device != Device.Auto) return plan.Device;
        var model = plan.Models[plan.Steps[0].ModelPath];
        using var probe = SessionFactory.Compile(model.Model, Device.Auto, notice);
        return probe.Device;
    }
}
