using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Scrubbing;

/// <summary>The equivalence rules on hand-made examples, and their JSON spelling.</summary>
public sealed class EquivalenceRuleTests
{
    static ScrubExample Example(params long[] tokens) => new(tokens, new Dictionary<string, string> { ["first"] = tokens[1].ToString() });

    [Fact]
    public void Rules_compare_what_they_name()
    {
        var parent = Example(0, 5, 6, 7, 5, 6, 7);
        // At query 4 the parent's token 5 last occurred at 1, so an induction head there copies 6.
        Assert.Equal(6, EquivalenceRule.InductionTarget(parent.Tokens, 4));
        Assert.Equal(-1, EquivalenceRule.InductionTarget(parent.Tokens, 3));
        var induction = new EquivalenceRule("induction_target_at", Positions: [4]);
        Assert.True(induction.Agrees(parent, Example(0, 2, 6, 4, 2, 1, 1)));   // its token 2 also last came before a 6
        Assert.False(induction.Agrees(parent, Example(0, 9, 8, 1, 9, 8, 3)));  // 9 came before an 8
        var previous = new EquivalenceRule("previous_token_at", Positions: [4]);
        Assert.True(previous.Agrees(parent, Example(1, 1, 1, 7, 3, 3, 3)));
        Assert.False(previous.Agrees(parent, Example(1, 1, 1, 8, 5, 6, 7)));
        Assert.True(new EquivalenceRule("tokens_at", Positions: [1, 2]).Agrees(parent, Example(3, 5, 6, 0, 0, 0, 0)));
        Assert.True(new EquivalenceRule("feature", Feature: "first").Agrees(parent, Example(3, 5, 1, 1, 1, 1, 1)));
        Assert.False(new EquivalenceRule("feature", Feature: "first").Agrees(parent, Example(3, 4, 1, 1, 1, 1, 1)));
        Assert.False(EquivalenceRule.Same.Agrees(parent, Example(0, 5, 6, 7, 5, 6, 7)));  // same means this very example
    }

    [Fact]
    public void Hypothesis_files_spell_every_rule()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("h.json"), """
            { "name": "rules", "claims": [
                { "edges": ["embed->logits"] },
                { "edges": ["L0H3->L1H0_k"], "rule": { "previous_token_at": [5, 6] } },
                { "edges": ["embed->L1H0_v"], "rule": { "induction_target_at": [12] } },
                { "edges": ["embed->L1H0_q"], "rule": { "feature": "first" } } ] }
            """);
        var h = Hypothesis.Load(dir.File("h.json"));
        Assert.Equal("same", h.RuleOf("embed", "logits")!.Kind);
        Assert.Equal([5, 6], h.RuleOf("L0H3", "L1H0_k")!.Positions);
        Assert.Equal("induction_target_at", h.RuleOf("embed", "L1H0_v")!.Kind);
        Assert.Null(h.RuleOf("L0H0", "logits"));
        File.WriteAllText(dir.File("bad.json"), """{ "claims": [ { "edges": ["embed->logits"], "rule": "similar" } ] }""");
        Assert.Contains("rule 'similar' is unknown", Assert.Throws<ArgumentException>(() => Hypothesis.Load(dir.File("bad.json"))).Message);
    }
}
