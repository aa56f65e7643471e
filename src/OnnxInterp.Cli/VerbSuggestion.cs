using System.CommandLine;

namespace OnnxInterp.Cli;

/// <summary>The verb closest to a mistyped one (edit distance), so <c>onnxinterp pach</c> asks "did you mean patch?".</summary>
public static class VerbSuggestion
{
    public static string? Closest(string typed, RootCommand root)
    {
        var verbs = root.Subcommands.Select(c => c.Name).ToList();
        var best = verbs.Select(v => (Verb: v, Distance: Distance(typed.ToLowerInvariant(), v))).OrderBy(x => x.Distance).FirstOrDefault();
        return best.Verb is not null && best.Distance <= Math.Max(2, typed.Length / 3) ? best.Verb : null;
    }

    static int Distance(string a, string b)
    {
        var prev = Enumerable.Range(0, b.Length + 1).ToArray();
        var cur = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
