using System.Text.Json;

namespace OnnxInterp.Analysis.Scrubbing;

/// <summary>
/// When a claimed edge's sender may run on another input than its receiver: <see cref="Same"/> (the same input),
/// <see cref="Any"/> (any example: an unclaimed edge), a <c>feature</c> of the dataset that must agree, positions whose
/// tokens (<c>tokens_at</c>) or previous tokens (<c>previous_token_at</c>) must agree, or query positions whose induction
/// target must agree (<c>induction_target_at</c>: the token after the previous occurrence of the query's token).
/// </summary>
public sealed record EquivalenceRule(string Kind, string? Feature = null, IReadOnlyList<int>? Positions = null)
{
    public static EquivalenceRule Same { get; } = new("same");
    public static EquivalenceRule Any { get; } = new("any");

    public bool Agrees(ScrubExample parent, ScrubExample candidate) => Kind switch
    {
        "same" => ReferenceEquals(parent, candidate),
        "any" => true,
        "feature" => parent.Features.TryGetValue(Feature!, out var a) && candidate.Features.TryGetValue(Feature!, out var b) && a == b,
        "tokens_at" => Positions!.All(p => parent.Tokens[p] == candidate.Tokens[p]),
        "previous_token_at" => Positions!.All(p => p > 0 && parent.Tokens[p - 1] == candidate.Tokens[p - 1]),
        "induction_target_at" => Positions!.All(q => InductionTarget(parent.Tokens, q) == InductionTarget(candidate.Tokens, q)),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    /// <summary>The token after the latest earlier occurrence of the token at <paramref name="query"/> (what an induction head copies), or -1.</summary>
    public static long InductionTarget(IReadOnlyList<long> tokens, int query)
    {
        for (int j = query - 1; j >= 0; j--)
            if (tokens[j] == tokens[query]) return tokens[j + 1];
        return -1;
    }

    public override string ToString() => Kind switch
    {
        "feature" => $"same {Feature}",
        "tokens_at" => $"same tokens at {string.Join(",", Positions!)}",
        "previous_token_at" => $"same previous token at {string.Join(",", Positions!)}",
        "induction_target_at" => $"same token after the previous occurrence of the token at {string.Join(",", Positions!)}",
        _ => Kind,
    };
}

/// <summary>One claim: residual-graph edges (<c>L0H3-&gt;L1H2_k</c>) and the rule their senders' inputs follow.</summary>
public sealed record HypothesisClaim(IReadOnlyList<(string Sender, string Receiver)> Edges, EquivalenceRule Rule);

/// <summary>
/// A causal-scrubbing hypothesis on the residual graph: the edges that matter, each with an equivalence rule; every
/// other edge is resampled from a random example. <see cref="LossPositions"/> are the positions whose next-token loss
/// is measured (null: every position but the last). The JSON format is in docs/scrubbing.md.
/// </summary>
public sealed record Hypothesis(string Name, IReadOnlyList<HypothesisClaim> Claims, IReadOnlyList<int>? LossPositions = null)
{
    /// <summary>The rule of a claimed edge, or null when the hypothesis does not claim it.</summary>
    public EquivalenceRule? RuleOf(string sender, string receiver) =>
        Claims.FirstOrDefault(c => c.Edges.Contains((sender, receiver)))?.Rule;

    public static Hypothesis Load(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = json.RootElement;
        string Where(string field) => $"hypothesis {path}: {field}";
        if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{Where("the file")} must hold a JSON object with \"claims\".");
        var name = root.TryGetProperty("name", out var n) ? n.GetString() ?? "" : Path.GetFileNameWithoutExtension(path);
        IReadOnlyList<int>? positions = root.TryGetProperty("loss_positions", out var lp) ? [.. lp.EnumerateArray().Select(p => p.GetInt32())] : null;
        if (!root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            throw new ArgumentException($"{Where("\"claims\"")} is missing: give a list of {{\"edges\": [\"SENDER->RECEIVER\", ...], \"rule\": ...}}.");
        var list = new List<HypothesisClaim>();
        int k = 0;
        foreach (var claim in claims.EnumerateArray())
        {
            var at = $"claims[{k++}]";
            if (!claim.TryGetProperty("edges", out var edges) || edges.ValueKind != JsonValueKind.Array)
                throw new ArgumentException($"{Where(at)} has no \"edges\" list.");
            var pairs = edges.EnumerateArray().Select(e => e.GetString() ?? "").Select(e => e.Split("->", StringSplitOptions.TrimEntries) is [var s, var r] && s.Length > 0 && r.Length > 0
                ? (s, r) : throw new ArgumentException($"{Where(at)}: '{e}' is not an edge; write SENDER->RECEIVER, e.g. L0H3->L1H2_k.")).ToList();
            list.Add(new HypothesisClaim(pairs, Rule(claim, Where(at))));
        }
        if (list.Count == 0 || list.All(c => c.Edges.Count == 0))
            throw new ArgumentException($"{Where("\"claims\"")} claims no edge: an empty circuit says nothing to test (its scrubbed loss is the fully resampled one, which scrub reports anyway). Claim the edges your hypothesis says matter.");
        return new Hypothesis(name, list, positions);
    }

    static EquivalenceRule Rule(JsonElement claim, string where)
    {
        if (!claim.TryGetProperty("rule", out var rule)) return EquivalenceRule.Same;
        if (rule.ValueKind == JsonValueKind.String)
            return rule.GetString() switch
            {
                "same" => EquivalenceRule.Same,
                "any" => EquivalenceRule.Any,
                var other => throw new ArgumentException($"{where}: rule '{other}' is unknown; use \"same\", \"any\", {{\"feature\": NAME}}, {{\"tokens_at\": [positions]}}, {{\"previous_token_at\": [positions]}} or {{\"induction_target_at\": [positions]}}."),
            };
        if (rule.TryGetProperty("feature", out var f)) return new EquivalenceRule("feature", Feature: f.GetString());
        foreach (var kind in new[] { "tokens_at", "previous_token_at", "induction_target_at" })
            if (rule.TryGetProperty(kind, out var t)) return new EquivalenceRule(kind, Positions: [.. t.EnumerateArray().Select(p => p.GetInt32())]);
        throw new ArgumentException($"{where}: the rule must be \"same\", \"any\", {{\"feature\": NAME}}, {{\"tokens_at\": [positions]}}, {{\"previous_token_at\": [positions]}} or {{\"induction_target_at\": [positions]}}.");
    }
}
