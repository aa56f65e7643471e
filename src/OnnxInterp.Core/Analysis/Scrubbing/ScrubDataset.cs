using System.Text.Json;

namespace OnnxInterp.Analysis.Scrubbing;

/// <summary>One dataset example: its token ids and named features (what equivalence rules may compare).</summary>
public sealed record ScrubExample(IReadOnlyList<long> Tokens, IReadOnlyDictionary<string, string> Features);

/// <summary>
/// The examples causal scrubbing resamples from, all of one token length: a JSONL file, one
/// <c>{"tokens": [ids], "features": {"name": value, ...}}</c> per line (features optional).
/// </summary>
public sealed class ScrubDataset(IReadOnlyList<ScrubExample> examples)
{
    public IReadOnlyList<ScrubExample> Examples { get; } = Check(examples);
    public int Count => Examples.Count;
    public int Length => Examples[0].Tokens.Count;

    public static ScrubDataset Load(string path)
    {
        var examples = new List<ScrubExample>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var json = JsonDocument.Parse(text);
                var root = json.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array)
                    throw new FormatException("a line must be an object with a \"tokens\" array of ids");
                var features = new Dictionary<string, string>(StringComparer.Ordinal);
                if (root.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.Object)
                    foreach (var p in f.EnumerateObject()) features[p.Name] = p.Value.ToString();
                examples.Add(new ScrubExample([.. tokens.EnumerateArray().Select(t => t.GetInt64())], features));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new ArgumentException($"dataset {path} line {line}: {e.Message}.");
            }
        }
        return new ScrubDataset(examples);
    }

    static IReadOnlyList<ScrubExample> Check(IReadOnlyList<ScrubExample> examples)
    {
        if (examples.Count < 2) throw new ArgumentException($"a scrubbing dataset needs at least two examples to resample from (it has {examples.Count}).");
        int length = examples[0].Tokens.Count;
        for (int i = 0; i < examples.Count; i++)
            if (examples[i].Tokens.Count != length)
                throw new ArgumentException($"dataset example {i} has {examples[i].Tokens.Count} tokens but example 0 has {length}; every example must have the same length.");
        return examples;
    }
}
