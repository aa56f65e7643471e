using System.Text.Json;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.Patch;

/// <summary>
/// <c>patch --pairs FILE.jsonl</c>: one prompt pair per line, <c>{"clean": ..., "corrupted": ..., "answer": ..., "wrong": ...}</c>,
/// each prompt GPT-2 text (BOS first unless --no-bos) or an array of token ids, each answer a one-token text (" Mary")
/// or an id; <c>"pos"</c> optional. Blank lines are skipped. Errors name the line and the field.
/// </summary>
static class PairsFile
{
    public static List<PromptPair> Read(HookedModel model, string path, bool noBos, int? position)
    {
        if (!File.Exists(path)) throw new UsageException($"--pairs file '{path}' does not exist.");
        var pairs = new List<PromptPair>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind != JsonValueKind.Object) throw new UsageException("a line must be a JSON object with clean, corrupted, answer and wrong.");
                var root = json.RootElement;
                var clean = Prompt(model, root, "clean", noBos);
                var corrupted = Prompt(model, root, "corrupted", noBos);
                if (clean.Count != corrupted.Count)
                    throw new UsageException($"clean is {clean.Count} tokens but corrupted is {corrupted.Count}; activation patching needs prompts of equal token length.");
                int pos = root.TryGetProperty("pos", out var p) ? p.GetInt32() : position ?? -1;
                if (pos >= clean.Count || pos < -clean.Count) throw new UsageException($"pos {pos} is outside the {clean.Count} tokens.");
                pairs.Add(new PromptPair(clean, corrupted, Token(model, root, "answer"), Token(model, root, "wrong"), pos));
            }
            catch (Exception e) when (e is JsonException or UsageException or InvalidOperationException or FormatException)
            {
                throw new UsageException($"--pairs {path} line {line}: {e.Message}");
            }
        }
        if (pairs.Count == 0) throw new UsageException($"--pairs file '{path}' holds no pairs.");
        return pairs;
    }

    static IReadOnlyList<long> Prompt(HookedModel model, JsonElement root, string field, bool noBos)
    {
        if (!root.TryGetProperty(field, out var value)) throw new UsageException($"'{field}' is missing.");
        var ids = value.ValueKind switch
        {
            JsonValueKind.String => AnalysisInputs.ReadTokens(model, value.GetString(), null, noBos),
            JsonValueKind.Array => AnalysisInputs.ReadTokens(model, null, string.Join(",", value.EnumerateArray().Select(v => v.GetInt64())), noBos: true),
            _ => throw new UsageException($"'{field}' must be text or an array of token ids."),
        };
        return [.. ids!.Select(t => (long)t)];
    }

    static long Token(HookedModel model, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return -1;
        int? id = value.ValueKind switch
        {
            JsonValueKind.String => AnalysisInputs.ReadToken(model, value.GetString(), null, field),
            JsonValueKind.Number => AnalysisInputs.ReadToken(model, null, value.GetInt32(), field),
            _ => throw new UsageException($"'{field}' must be one token as text or an id."),
        };
        return id ?? -1;
    }
}
