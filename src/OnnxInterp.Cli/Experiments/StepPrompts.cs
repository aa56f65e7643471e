using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments;

/// <summary>Every prompt of a step as results.json records it: ids and token texts, clean and corrupted.</summary>
internal static class StepPrompts
{
    public static IReadOnlyList<PromptTokens> Of(HookedModel model, ResolvedPrompts prompts)
    {
        var rows = new List<PromptTokens>();
        for (int i = 0; i < prompts.Items.Count; i++)
        {
            var p = prompts.Items[i];
            rows.Add(Row(model, prompts.Items.Count == 1 && p.Corrupted is null ? "prompt" : $"{(p.Corrupted is null ? "prompt" : "pair")} {i}{(p.Corrupted is null ? "" : " clean")}", p.Clean));
            if (p.Corrupted is not null) rows.Add(Row(model, $"pair {i} corrupted", p.Corrupted));
        }
        return rows;
    }

    public static PromptTokens Row(HookedModel model, string role, IReadOnlyList<long> ids) =>
        new(role, [.. ids.Select(t => (int)t)], [.. ids.Select(t => AnalysisInputs.Text(model, t))]);

    public static PromptTokens Row(HookedModel model, string role, IReadOnlyList<int> ids) =>
        new(role, ids, [.. ids.Select(t => AnalysisInputs.Text(model, t))]);
}
