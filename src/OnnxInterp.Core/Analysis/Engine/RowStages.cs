using OnnxInterp.Graph;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// Which rows of a plan can start late: a row whose writes are all on one tensor, whose sources are rows without
/// writes, and which has a twin (a row without writes, with the same tokens and the same feeds list) equals its twin up
/// to that tensor, so it
/// joins the batch there (see <see cref="Rewrites.StageRows"/>) instead of recomputing everything before it: a patch
/// at layer L skips layers 0..L-1. Stages are the tensors rows join at, in graph order; <see cref="Stage"/>[r] is row
/// r's stage (1-based; 0: from the start) and <see cref="Twin"/>[r] the row it starts from.
/// </summary>
sealed class RowStages
{
    RowStages(IReadOnlyList<string> stages, int[] stage, int[] twin)
    {
        Stages = stages;
        Stage = stage;
        Twin = twin;
    }

    /// <summary>
    /// Every tensor crossing a stage is lifted there, so the staged graph grows with stages x crossing tensors: path
    /// patching GPT-2 small's 144 heads into the logits (144 stages on one sum) compiled for minutes, while every
    /// layer-wise sweep (12-36 stages) pays back. Beyond this many stages rows run from the start.
    /// </summary>
    public const int MaxStages = 48;

    public IReadOnlyList<string> Stages { get; }
    public int[] Stage { get; }
    public int[] Twin { get; }

    /// <summary>
    /// The stages of a plan, or null when no row can start late (or the plan reads values every row must compute).
    /// <paramref name="graphOrder"/> gives each tensor's position in a topological order of the graph (asked only when some row can start late).
    /// </summary>
    public static RowStages? For(InterventionPlan plan, HookMap map, Func<IReadOnlyDictionary<string, int>> graphOrder)
    {
        var rows = plan.Rows;
        if (plan.Reads is { Count: > 0 } || plan.Outputs is { Count: > 0 }) return null;
        var plain = Enumerable.Range(0, rows.Count).Where(r => rows[r].WriteList.Count == 0).ToList();
        var entry = new string?[rows.Count];
        var twin = Enumerable.Repeat(-1, rows.Count).ToArray();
        for (int r = 0; r < rows.Count; r++)
        {
            var writes = rows[r].WriteList;
            if (writes.Count == 0 || writes.Any(w => w.Receiver is not null)) continue;
            var tensors = writes.Select(w => map[w.Hook].Tensor).Distinct().ToList();
            if (tensors.Count != 1 || writes.Any(w => w.Source is WriteSource.FromRow from && rows[from.Row].WriteList.Count > 0)) continue;
            // Feeds (a past, a mask) must be the very same list: rows built to share them, not merely equal.
            int t = plain.FirstOrDefault(p => rows[p].Tokens.SequenceEqual(rows[r].Tokens) && ReferenceEquals(rows[p].Feeds, rows[r].Feeds), -1);
            if (t < 0) continue;
            (entry[r], twin[r]) = (tensors[0], t);
        }
        if (entry.All(e => e is null)) return null;
        var order = graphOrder();
        var stages = entry.OfType<string>().Distinct().OrderBy(t => order.GetValueOrDefault(t)).ToList();
        if (stages.Count > MaxStages) return null;
        var stage = entry.Select(e => e is null ? 0 : stages.IndexOf(e) + 1).ToArray();
        return new RowStages(stages, stage, twin);
    }
}
