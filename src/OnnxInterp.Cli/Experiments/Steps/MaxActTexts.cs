using OnnxInterp.Analysis.MaxAct;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>
/// Every token's activation in each top context, for the report's coloured text: the search keeps only the peak, so the
/// examples are read again from the dataset and run once more (k rows per target, up to the context's end, so each
/// position sees the same prefix as in the search).
/// </summary>
internal static class MaxActTexts
{
    public static IReadOnlyList<TokenActivationText> Of(HookedModel model, IReadOnlyList<MaxActTargetResult> results,
        Func<IReadOnlyList<IReadOnlyList<int>>, IReadOnlyDictionary<string, NamedTensor>> capture,
        Func<StreamReader> open, Func<StreamReader, IEnumerable<TokenExample>> read)
    {
        var wanted = results.SelectMany(r => r.Examples.Select(e => e.Example)).ToHashSet();
        if (wanted.Count == 0) return [];
        var found = new Dictionary<long, int[]>();
        using (var reader = open())
            foreach (var example in read(reader))
            {
                if (wanted.Contains(example.Index)) found[example.Index] = example.Tokens;
                if (found.Count == wanted.Count) break;
            }
        var texts = new List<TokenActivationText>();
        foreach (var r in results)
        {
            if (r.Examples.Count == 0) continue;
            var rows = r.Examples.Select(e => found[e.Example][..(e.ContextStart + e.Context.Length)]).ToList();
            var captured = capture([.. rows.Select(x => (IReadOnlyList<int>)x)]);
            int longest = rows.Max(x => x.Length);
            var values = new double[longest];
            var keys = new int[longest];
            double max = r.Examples.Max(e => e.Activation);
            for (int i = 0; i < rows.Count; i++)
            {
                var e = r.Examples[i];
                r.Target.Activations(captured[r.Target.Hook], i, rows[i].Length, values, keys);
                texts.Add(new TokenActivationText(r.Target.Label, i + 1, [.. e.Context.Select(t => AnalysisInputs.Text(model, t))],
                    [.. Enumerable.Range(e.ContextStart, e.Context.Length).Select(p => double.IsFinite(values[p]) ? values[p] : 0)], e.Position - e.ContextStart, max)
                    { Example = e.Example, Position = e.Position });
            }
        }
        return texts;
    }
}
