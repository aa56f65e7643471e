using System.Runtime.CompilerServices;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// The one engine every intervention runs on. <see cref="Run"/> compiles a plan's touched sites into one rewrite (write
/// points per hook tensor and receiver, exposed reads, logits only where read), keyed by its identity in the session
/// cache, packs the rows into session runs of at most <see cref="InterventionOptions.RowsPerRun"/> rows (a row and the
/// rows it reads from share a run), and returns every row's logits and reads. Method code builds plans; it never runs
/// sessions itself. Owns its session cache unless the options give one.
/// </summary>
public sealed partial class InterventionEngine : IDisposable
{
    const string LogitPositionsInput = "metric_positions", GatheredLogits = "metric_logits";
    readonly SessionCache sessions;
    readonly bool ownsSessions;
    // Plan builders make an engine per call, so what is learned about a model lives as long as the model does.
    static readonly ConditionalWeakTable<HookedModel, Learned> learnedOf = new();
    readonly Learned learned;

    public InterventionEngine(HookedModel model, InterventionOptions? options = null)
    {
        Model = model;
        Options = options ?? new InterventionOptions();
        if (Options.RowsPerRun < 1) throw new ArgumentException($"rows per run must be at least 1 (got {Options.RowsPerRun}).");
        sessions = Options.Sessions ?? new SessionCache(Options.Device, Options.Log);
        ownsSessions = Options.Sessions is null;
        Device = Options.Device;
        learned = learnedOf.GetValue(model, _ => new Learned());
    }

    /// <summary>Per prepared model (keyed by its changes): measured types and batch axes, staged graphs, graph order.</summary>
    sealed class Learned
    {
        public readonly Dictionary<string, ProbedModel> Probed = new(StringComparer.Ordinal);
        public readonly Dictionary<string, StagedGraph?> Staged = new(StringComparer.Ordinal);
        public readonly Dictionary<string, IReadOnlyDictionary<string, int>> Orders = new(StringComparer.Ordinal);
    }

    public HookedModel Model { get; }
    public InterventionOptions Options { get; }
    /// <summary>Sessions compiled so far in this engine's cache (one per distinct set of touched sites).</summary>
    public int Compiled => sessions.Count;
    /// <summary>The device of the last compiled session (CPU after a fallback); the requested device before any.</summary>
    public Device Device { get; private set; }

    public PlanResult Run(InterventionPlan plan)
    {
        var rows = plan.Rows;
        Check(rows);
        var writes = rows.SelectMany(r => r.WriteList).ToList();
        var hooks = writes.Select(w => w.Hook).Concat(writes.Select(w => w.Receiver).OfType<string>()).Concat(plan.Reads ?? []).Distinct().ToList();
        var ready = hooks.Count == 0 ? Model : Model.Prepare(hooks).Model;
        var map = ready.Map;
        int longest = rows.Max(r => r.Tokens.Count);
        if (plan.PastLength < 0) throw new ArgumentException($"the plan's past length is {plan.PastLength}; it must be 0 or more.");
        if (map.Config.NCtx > 0 && longest + plan.PastLength > map.Config.NCtx)
            throw new FeedException($"a sequence of {longest + plan.PastLength} tokens{(plan.PastLength > 0 ? $" ({plan.PastLength} past + {longest} new)" : "")} does not fit the model's context window of {map.Config.NCtx} positions; use shorter inputs.");

        var groups = Groups(rows, map);
        var reads = (plan.Reads is { Count: > 0 } patterns ? map.Select(patterns) : []).ToDictionary(p => p.Name.Value, p =>
        {
            int batch = p.Layout.IndexOf("batch");
            if (batch < 0) throw new ArgumentException($"hook '{p.Name}' has layout {p.Layout} with no batch axis, so it cannot be read per row.");
            return (p.Tensor, batch);
        }, StringComparer.Ordinal);
        foreach (var name in plan.Outputs ?? [])
            reads[name] = ready.Model.Graph.Producer(name) is not null
                ? (name, BatchAxisOf(ready.Model.Graph, name))
                : throw new ArgumentException($"the model computes no tensor '{name}' to return. Its outputs: {string.Join(", ", ready.Model.Graph.Outputs)}.");
        var (logits, gather) = Logits(plan, ready);
        var staged = Options.StartAtWrites ? Staged(plan, ready, logits) : null;

        var identity = $"engine|{string.Join(";", ready.Changes)}|writes[{string.Join(",", groups.Select(g => g.Describe()).Order())}]" +
                       $"|reads[{string.Join(",", reads.Values.Select(r => r.Tensor).Distinct().Order())}]|logits[{logits}{(gather ? "@positions" : "")}]" +
                       (staged is null ? "" : $"|stages[{string.Join(",", staged.Value.Rows.Stages)}]");
        var compiled = sessions.Get(identity, () => Build(ready, staged?.Graph.Model, groups, reads.Values.Select(r => r.Tensor), logits, gather));
        Device = compiled.Device;
        var stage = staged?.Rows.Stage ?? new int[rows.Count];

        var outputs = reads.Values.Select(r => r.Tensor).Concat(logits is null ? [] : [gather ? GatheredLogits : logits]).Distinct().ToList();
        var runs = new List<IReadOnlyDictionary<string, NamedTensor>>();
        var location = Enumerable.Repeat((Run: -1, Index: -1), rows.Count).ToArray();
        int batchRows = 0;
        // Rows join in order of their stage, so the rows present at any tensor are the first of the batch.
        var packed = Pack(rows, Options.RowsPerRun, staged is { } s ? r => s.Rows.Twin[r] >= 0 ? [s.Rows.Twin[r]] : [] : null)
            .Select(run => run.OrderBy(r => stage[r]).ToList()).ToList();
        foreach (var batch in packed)
        {
            var index = new Dictionary<int, int>();
            for (int b = 0; b < batch.Count; b++) index.TryAdd(batch[b], b);
            int positions = rows[batch[0]].Tokens.Count;
            var feeds = Feeds(compiled.Model.Graph, rows, [.. batch.Where(r => stage[r] == 0)], gather);
            if (staged is { } st)
                for (int k = 1; k <= st.Rows.Stages.Count; k++)
                    feeds.Add(NamedTensor.Int64(st.Graph.Inputs[k - 1], [batch.Count(r => stage[r] == k)], [.. batch.Where(r => stage[r] == k).Select(r => (long)index[st.Rows.Twin[r]])]));
            foreach (var g in groups)
            {
                int present = staged is { } sg ? batch.Count(r => stage[r] <= sg.Graph.Level.GetValueOrDefault(g.Point.Tensor)) : batch.Count;
                feeds.AddRange(g.Feeds(batch.Take(present).ToList(), r => index[r], map.Config, positions, ready.Model.Graph.TypeOf(g.Point.Tensor)?.ElementType ?? ElementType.Float, plan.PastLength));
            }
            if (gather) feeds.Add(NamedTensor.Int64(LogitPositionsInput, [plan.LogitRequest.Positions!.Count], [.. plan.LogitRequest.Positions!.Select(p => Resolve(p, positions))]));
            runs.Add(compiled.Run(feeds, outputs));
            for (int b = 0; b < batch.Count; b++)
                if (location[batch[b]].Run < 0) location[batch[b]] = (runs.Count - 1, b);
            batchRows += batch.Count;
            Options.Progress?.Invoke(runs.Count, packed.Count);
        }
        return new PlanResult(runs, location, reads, logits is null ? null : gather ? GatheredLogits : logits, gather ? plan.LogitRequest.Positions : null, batchRows, identity);
    }

    /// <summary>The declared batch axis (<see cref="BatchFeeds.DeclaredBatchAxis"/>), else 0.</summary>
    static int BatchAxisOf(OnnxGraph graph, string tensor) => Math.Max(BatchFeeds.DeclaredBatchAxis(graph, tensor), 0);

    static void Check(IReadOnlyList<PlanRow> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("the plan has no rows.");
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Tokens.Count == 0) throw new ArgumentException($"plan row {r} has no tokens.");
            foreach (var w in rows[r].WriteList)
                if (w.Source is WriteSource.FromRow from)
                {
                    if (from.Row < 0 || from.Row >= rows.Count)
                        throw new ArgumentException($"plan row {r} writes '{w.Hook}' from row {from.Row}, but the plan has rows 0..{rows.Count - 1}.");
                    if (rows[from.Row].Tokens.Count != rows[r].Tokens.Count)
                        throw new ArgumentException($"plan row {r} ({rows[r].Tokens.Count} tokens) writes '{w.Hook}' from row {from.Row} ({rows[from.Row].Tokens.Count} tokens); a row can only read rows of its own length.");
                }
        }
    }

    static List<WriteGroup> Groups(IReadOnlyList<PlanRow> rows, HookMap map)
    {
        var groups = new Dictionary<(string Tensor, string Receiver), WriteGroup>();
        for (int r = 0; r < rows.Count; r++)
            foreach (var w in rows[r].WriteList)
            {
                var point = map[w.Hook];
                string? receiver = w.Receiver is null ? null : map[w.Receiver].Tensor;
                if (receiver == point.Tensor)
                    throw new ArgumentException($"a write to '{w.Hook}' names itself ('{w.Receiver}', the same tensor) as its receiver; write it without a receiver.");
                var key = (point.Tensor, receiver ?? "");
                if (!groups.TryGetValue(key, out var group)) groups[key] = group = new WriteGroup(point, receiver);
                group.Add(r, w, point);
            }
        foreach (var g in groups.Values) g.Seal();
        return [.. groups.Values];
    }

    /// <summary>The logits tensor to return and whether the rewrite computes it at the read positions only.</summary>
    static (string? Tensor, bool Gather) Logits(InterventionPlan plan, HookedModel ready)
    {
        var (request, map, graph) = (plan.LogitRequest, ready.Map, ready.Model.Graph);
        if (!request.Read) return (null, false);
        if (plan.Output is { } output)
            return graph.Producer(output) is not null ? (output, false)
                : throw new ArgumentException($"the model computes no tensor '{output}' to read as logits. Its outputs: {string.Join(", ", graph.Outputs)}.");
        if (!map.TryGet("logits", out var logits))
            throw new ArgumentException("the model has no logits: its hook map has no 'logits' hook (a model without an unembedding, such as GPT2Model, ends in hidden states). Read hooks instead, or name the output to score as logits (the plan's Output; --logits-output NAME on the command line).");
        bool gather = request.Positions is not null && logits.Layout is { Rank: 3 } layout && layout.Axes[1] == "pos";
        return (logits.Tensor, gather);
    }

    OnnxModel Build(HookedModel ready, OnnxModel? staged, IReadOnlyList<WriteGroup> groups, IEnumerable<string> reads, string? logits, bool gather)
    {
        var model = staged ?? ready.Model;
        if (groups.Count > 0)
        {
            // Write inputs are typed after their tensors; the probe measures types the file leaves undeclared (one small CPU run).
            bool typed = groups.All(g => model.Graph.TypeOf(g.Point.Tensor) is { ElementType: not ElementType.Undefined });
            model = InsertWritePoints.Apply(typed ? model : Typed(ready), groups.Select(g => g.Request())).Model;
        }
        var exposed = reads.Concat(logits is not null && !gather ? [logits] : []).Where(t => !model.Graph.IsGraphOutput(t)).Distinct().ToList();
        if (exposed.Count > 0) model = Expose.Apply(model, exposed).Model;
        return gather ? LogitsAtPositions.Apply(model, logits!, LogitPositionsInput, GatheredLogits).Model : model;
    }

    /// <summary>The model with every tensor's element type declared: as loaded when the file declares them all, else measured.</summary>
    OnnxModel Typed(HookedModel ready) =>
        ready.Model.Graph.IntermediateTensors.All(t => ready.Model.Graph.TypeOf(t) is { ElementType: not ElementType.Undefined }) ? ready.Model : Probed(ready).Model;

    /// <summary>The model with measured types, and each tensor's measured batch axis (one probe per prepared model).</summary>
    ProbedModel Probed(HookedModel ready)
    {
        var key = string.Join(";", ready.Changes);
        lock (learned)
        {
            if (!learned.Probed.TryGetValue(key, out var model))
            {
                var probe = TypeProbe.Probe(ready.Model, Device.Cpu);
                learned.Probed[key] = model = new ProbedModel(TypeProbe.Fill(ready.Model, probe.Types), probe.BatchAxes);
            }
            return model;
        }
    }

    sealed record ProbedModel(OnnxModel Model, IReadOnlyDictionary<string, int> BatchAxes);

    /// <summary>The plan's late-starting rows and the staged graph they run on, or null when every row starts at the beginning.</summary>
    (RowStages Rows, StagedGraph Graph)? Staged(InterventionPlan plan, HookedModel ready, string? logits)
    {
        var prepared = string.Join(";", ready.Changes);
        lock (learned)
        {
            // Sorting GPT-2 small's graph takes longer than a session run of its late rows saves, so once per prepared model.
            IReadOnlyDictionary<string, int> Order() => learned.Orders.TryGetValue(prepared, out var known) ? known : learned.Orders[prepared] =
                ready.Model.Graph.Clone().TopologicalSort().Nodes.SelectMany((n, i) => n.Outputs.Select(o => (o, i))).ToDictionary(p => p.o, p => p.i, StringComparer.Ordinal);
            if (logits is null || RowStages.For(plan, ready.Map, Order) is not { } rowStages) return null;
            var key = $"{prepared}|{string.Join(",", rowStages.Stages)}";
            if (!learned.Staged.TryGetValue(key, out var graph))
            {
                var probe = Probed(ready);
                graph = StageRows.TryApply(probe.Model, rowStages.Stages, probe.BatchAxes, out var reason);
                if (graph is not null && graph.Level.GetValueOrDefault(logits) < rowStages.Stages.Count)
                    (graph, reason) = (null, $"'{logits}' is not computed after every stage");
                if (graph is null) Options.Log?.Invoke($"every row runs from the start: {reason}.");
                learned.Staged[key] = graph;
            }
            return graph is null ? null : (rowStages, graph);
        }
    }

    /// <summary>
    /// Session runs as lists of plan rows. Rows no other row reads from are packed in plan order, each bringing the rows it
    /// reads from (transitively) into its run; a run is closed when the next row's missing rows would take it past the
    /// capacity. Rows of different lengths never share one.
    /// </summary>
    internal static List<List<int>> Pack(IReadOnlyList<PlanRow> rows, int capacity, Func<int, IEnumerable<int>>? startsFrom = null)
    {
        var runs = new List<List<int>>();
        IEnumerable<int> Needs(int r) => rows[r].WriteList.Select(w => w.Source).OfType<WriteSource.FromRow>().Select(f => f.Row).Concat(startsFrom?.Invoke(r) ?? []);
        var sources = Enumerable.Range(0, rows.Count).SelectMany(Needs).ToHashSet();
        // A row read by others is run inside their closures; packing it on its own first would run it twice.
        var roots = Enumerable.Range(0, rows.Count).Where(r => !sources.Contains(r)).ToList();
        var order = roots.Count > 0 ? roots.Concat(sources.Order()) : Enumerable.Range(0, rows.Count);
        foreach (var length in order.GroupBy(r => rows[r].Tokens.Count))
        {
            var current = new List<int>();
            var present = new HashSet<int>();
            foreach (var r in length)
            {
                var closure = Closure(Needs, r);
                var missing = closure.Where(x => !present.Contains(x)).ToList();
                if (missing.Count == 0) continue;
                if (current.Count > 0 && current.Count + missing.Count > capacity)
                {
                    runs.Add(current);
                    current = [];
                    present.Clear();
                    missing = closure;
                }
                current.AddRange(missing);
                present.UnionWith(missing);
            }
            if (current.Count > 0) runs.Add(current);
        }
        return runs;
    }

    /// <summary>The row and every row it needs (reads from, or starts from), transitively, those first.</summary>
    static List<int> Closure(Func<int, IEnumerable<int>> needs, int row)
    {
        var order = new List<int>();
        var seen = new HashSet<int>();
        void Visit(int r)
        {
            if (!seen.Add(r)) return;
            foreach (var n in needs(r)) Visit(n);
            order.Add(r);
        }
        Visit(row);
        return order;
    }

    static List<NamedTensor> Feeds(OnnxGraph graph, IReadOnlyList<PlanRow> rows, List<int> batch, bool gather)
    {
        var feeds = BatchFeeds.For(graph, [.. batch.Select(r => rows[r].Tokens)], gather ? [LogitPositionsInput] : null);
        var given = batch.Where(r => rows[r].Feeds is { Count: > 0 }).SelectMany(r => rows[r].Feeds!.Select(f => f.Name)).Distinct().ToList();
        foreach (var name in given)
        {
            var parts = batch.Select(r => rows[r].Feeds?.FirstOrDefault(f => f.Name == name)
                ?? throw new ArgumentException($"plan row {r} gives no feed '{name}' but another row of its run does; give it for every row of the same length.")).ToList();
            feeds.RemoveAll(f => f.Name == name);
            // Rows join along the input's batch axis: axis 1 of an ORT past input [2, batch, heads, past, d_head].
            feeds.Add(BatchTensors.Concat(parts, BatchAxisOf(graph, name)));
        }
        return feeds;
    }

    static long Resolve(int position, int positions)
    {
        int p = position < 0 ? positions + position : position;
        if (p < 0 || p >= positions) throw new ArgumentException($"logit position {position} is outside a row of {positions} tokens.");
        return p;
    }

    public void Dispose()
    {
        if (ownsSessions) sessions.Dispose();
    }
}
