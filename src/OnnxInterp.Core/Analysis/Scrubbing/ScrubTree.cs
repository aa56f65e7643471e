using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Paths;

namespace OnnxInterp.Analysis.Scrubbing;

/// <summary>
/// Treeifies a hypothesis into plan rows. A node is a component (the logits, a head, an MLP) run on one example: its row
/// runs that example with every edge into the component's receivers written from a child row. A claimed edge's child
/// runs the sender on an example the rule calls equivalent (itself a node when the sender has receivers, so its own
/// inputs are scrubbed in turn); an unclaimed edge's child is a plain row of a random example. Plain rows are shared.
/// </summary>
sealed class ScrubTree(ResidualGraph graph, ScrubDataset dataset, Random random)
{
    readonly Dictionary<int, int> plainRows = [];

    public List<PlanRow> Rows { get; } = [];
    /// <summary>The example each row runs.</summary>
    public List<int> ExampleOf { get; } = [];

    /// <summary>A plain row of an example (shared).</summary>
    public int Plain(int example)
    {
        if (plainRows.TryGetValue(example, out var row)) return row;
        return plainRows[example] = Add(example, []);
    }

    /// <summary>The row of a component (its name: logits, LlHh or mlpL) run on an example, with its inputs scrubbed.</summary>
    public int Node(string component, int example, Hypothesis hypothesis)
    {
        var writes = new List<HookWrite>();
        foreach (var edge in graph.Edges.Where(e => ReceiverOf(e.Receiver.Name) == component))
        {
            var rule = hypothesis.RuleOf(edge.Sender.Name, edge.Receiver.Name);
            int child = rule is null
                ? Plain(random.Next(dataset.Count))
                : Scrubbed(edge.Sender, Equivalent(example, rule), hypothesis);
            writes.Add(new HookWrite(edge.Hook, new WriteSource.FromRow(child)));
        }
        return Add(example, writes);
    }

    int Scrubbed(ResidualNode sender, int example, Hypothesis hypothesis) =>
        sender.Layer >= 0 && graph.Receivers.Any(r => ReceiverOf(r.Name) == sender.Name) ? Node(sender.Name, example, hypothesis) : Plain(example);

    /// <summary>An example the rule calls equivalent to <paramref name="example"/>, drawn at random among them.</summary>
    int Equivalent(int example, EquivalenceRule rule)
    {
        if (rule.Kind == "same") return example;
        var parent = dataset.Examples[example];
        var candidates = Enumerable.Range(0, dataset.Count).Where(i => rule.Agrees(parent, dataset.Examples[i])).ToList();
        return candidates.Count == 0 ? example : candidates[random.Next(candidates.Count)];
    }

    int Add(int example, List<HookWrite> writes)
    {
        Rows.Add(new PlanRow(dataset.Examples[example].Tokens, writes));
        ExampleOf.Add(example);
        return Rows.Count - 1;
    }

    /// <summary>The component a receiver belongs to: LlHh for LlHh_q|k|v, else the receiver itself (mlpL, logits).</summary>
    public static string ReceiverOf(string receiver) => receiver.Split('_')[0];
}
