using System.Text.Json;
using OnnxInterp.Analysis.Patching;

namespace OnnxInterp.Benchmarks.Suite;

/// <summary>
/// tools/bench/ioi-pair.json: the IOI prompt pair every tool of the benchmark patches (clean and corrupted GPT-2 token
/// ids, the answer and the wrong-answer token), so their logit differences can be compared.
/// </summary>
public sealed record IoiPairFile(IReadOnlyList<long> Clean, IReadOnlyList<long> Corrupted, long Answer, long Wrong)
{
    public static IoiPairFile Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        long[] Ids(string name) => [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetInt64())];
        return new IoiPairFile(Ids("clean"), Ids("corrupted"), root.GetProperty("answer").GetInt64(), root.GetProperty("wrong").GetInt64());
    }

    /// <summary>The pair as the engine's activation patching takes it: logit difference answer - wrong at the last token.</summary>
    public PromptPair Prompt => new(Clean, Corrupted, Answer, Wrong);

    /// <summary>The clean prompt cut or padded to <paramref name="seq"/> tokens by repeating its last token (the forward measure's input).</summary>
    public IReadOnlyList<long> Padded(int seq) => [.. Clean.Concat(Enumerable.Repeat(Clean[^1], Math.Max(0, seq - Clean.Count))).Take(seq)];
}
