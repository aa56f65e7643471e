using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Analysis.Paths;

/// <summary>A node of the residual graph: what writes into the residual stream (senders) or reads it (receivers).</summary>
/// <param name="Name">Short name: <c>embed</c>, <c>pos_embed</c>, <c>L1H2</c>, <c>mlp0</c>; receivers <c>L1H2_q</c>, <c>mlp0</c>, <c>logits</c>.</param>
/// <param name="Layer">The block (-1 for embeddings, n_layers for logits).</param>
/// <param name="Head">The head, for heads and their q/k/v inputs.</param>
public sealed record ResidualNode(string Name, int Layer, int? Head = null);

/// <summary>
/// One edge. On an edge-hook graph (<see cref="ResidualGraph.Build"/>) <paramref name="Hook"/> is its own hook
/// (<c>edge.L0H3.L1H2_k</c>, [batch, pos, d_model]: the sender's output as that receiver reads it); on a masked graph
/// (<see cref="ResidualGraph.BuildMasked"/>) it is the receiver tensor's mask hook and the edge is its element
/// [<paramref name="MaskRow"/>, <paramref name="MaskColumn"/>].
/// </summary>
public sealed record ResidualEdge(ResidualNode Sender, ResidualNode Receiver, string Hook, int MaskRow = -1, int MaskColumn = -1);

/// <summary>
/// The hooks of a masked residual graph: <see cref="SendersHook"/> stacks every sender's output [batch, sender, pos,
/// d_model]; a row that writes <see cref="ReferenceHook"/> (e.g. with a corrupted run's senders) and sets some mask
/// elements to 1 has exactly those edges read the reference instead.
/// </summary>
public sealed record EdgeMasks(string SendersHook, string ReferenceHook, IReadOnlyList<(string Hook, int Receivers, int Senders)> Masks)
{
    /// <summary>
    /// A row's writes that make every edge in <paramref name="removed"/> read <paramref name="reference"/> ([1, sender, pos,
    /// d_model]); every mask is written (zeros where nothing is removed), so every such row touches the same sites.
    /// </summary>
    public IReadOnlyList<HookWrite> Writes(IEnumerable<ResidualEdge> removed, NamedTensor reference)
    {
        var values = Masks.ToDictionary(m => m.Hook, m => (Senders: m.Senders, Values: new float[m.Receivers * m.Senders]));
        foreach (var e in removed)
        {
            var (senders, mask) = values[e.Hook];
            mask[e.MaskRow * senders + e.MaskColumn] = 1;
        }
        return [new HookWrite(ReferenceHook, new WriteSource.Fed(reference)),
            .. Masks.Select(m => new HookWrite(m.Hook, new WriteSource.Fed(NamedTensor.Float(m.Hook, [1, m.Receivers, m.Senders], values[m.Hook].Values))))];
    }
}

/// <summary>
/// The residual graph of a decoder (A Mathematical Framework for Transformer Circuits; ACDC): senders are the token and
/// position embeddings, every head (its <c>attn.hook_result</c>) and every MLP; receivers are every head's q, k and v
/// inputs (the derived <c>hook_q_input</c> etc. at that head), every MLP's input and the logits (the final residual
/// as the unembedding reads it). Two forms of one graph: every (sender, receiver) pair with the sender earlier as a hook
/// of its own (<see cref="Build"/>: path patching and causal scrubbing write edges from any row), or one mask per
/// receiver tensor (<see cref="BuildMasked"/>: ACDC, whose removed edges all read one reference; it stays small on
/// GPT-2 small, whose ~32k edge hooks would not compile in reasonable time).
/// </summary>
public sealed class ResidualGraph
{
    ResidualGraph(HookedModel model, IReadOnlyList<ResidualNode> senders, IReadOnlyList<ResidualNode> receivers, IReadOnlyList<ResidualEdge> edges, EdgeMasks? masks)
    {
        Model = model;
        Senders = senders;
        Receivers = receivers;
        Edges = edges;
        Masks = masks;
    }

    /// <summary>The model with the edge hooks or masks (and the derived hooks they need).</summary>
    public HookedModel Model { get; }
    public IReadOnlyList<ResidualNode> Senders { get; }
    public IReadOnlyList<ResidualNode> Receivers { get; }
    /// <summary>Every edge, receivers in forward order, each receiver's senders in forward order.</summary>
    public IReadOnlyList<ResidualEdge> Edges { get; }
    /// <summary>The mask hooks, on a graph from <see cref="BuildMasked"/>.</summary>
    public EdgeMasks? Masks { get; }

    /// <summary>Whether the receiver reads the sender directly: the sender is in an earlier block, or is a head of the MLP's block, or the receiver is the logits.</summary>
    public static bool Precedes(ResidualNode sender, ResidualNode receiver) =>
        receiver.Name == "logits" || sender.Layer < receiver.Layer || sender.Layer == receiver.Layer && sender.Head is not null && receiver.Head is null;

    public ResidualEdge Edge(string sender, string receiver) =>
        Edges.FirstOrDefault(e => e.Sender.Name == sender && e.Receiver.Name == receiver)
        ?? throw new ArgumentException($"the residual graph has no edge {sender} -> {receiver} (a sender must come before its receiver; senders are embed, pos_embed, LlHh, mlpL; receivers LlHh_q|k|v, mlpL, logits).");

    /// <summary>
    /// Every edge as a hook of its own, or only the edges <paramref name="include"/> accepts (path patching a few senders
    /// and receivers of a large model: each edge hook costs graph nodes and compile time).
    /// </summary>
    public static ResidualGraph Build(HookedModel model, Func<ResidualNode, ResidualNode, bool>? include = null) =>
        EdgeHookForm(Structure(model), include);

    /// <summary>
    /// The edge-hook form with the edges <paramref name="include"/> accepts when there are at most
    /// <paramref name="maxEdgeHooks"/> of them, else the masked form (one model analysis for either).
    /// </summary>
    public static ResidualGraph BuildFor(HookedModel model, Func<ResidualNode, ResidualNode, bool> include, int maxEdgeHooks)
    {
        var structure = Structure(model);
        var (_, senders, groups) = structure;
        int wanted = groups.Sum(g => g.Receivers.Sum(r => senders.Take(g.Senders).Count(s => include(s.Node, r))));
        return wanted > maxEdgeHooks ? MaskedForm(structure) : EdgeHookForm(structure, include);
    }

    static ResidualGraph EdgeHookForm(GraphStructure structure, Func<ResidualNode, ResidualNode, bool>? include)
    {
        var (ready, senders, groups) = structure;
        var edges = new List<ResidualEdge>();
        var requests = new List<EdgeReceiver>();
        foreach (var g in groups)
        {
            var slots = g.Receivers.Select(receiver => (IReadOnlyList<EdgeTerm>)[.. senders.Take(g.Senders).Where(s => include?.Invoke(s.Node, receiver) ?? true).Select(s =>
            {
                var hook = $"edge.{s.Node.Name}.{receiver.Name}";
                edges.Add(new ResidualEdge(s.Node, receiver, hook));
                return new EdgeTerm(hook, s.Tensor, s.Axis, s.Index);
            })]).ToList();
            if (slots.Any(slot => slot.Count > 0)) requests.Add(new EdgeReceiver(g.Target, g.LeadingTo, slots, g.SlotAxis));
        }
        var rewrite = ResidualEdges.Apply(ready.Model, requests);
        var points = edges.Select(e => new HookPoint(HookName.Parse(e.Hook), e.Hook, HookLayout.Residual, HookKind.Derived,
            $"{e.Sender.Name} as {e.Receiver.Name} reads it (direct path)"));
        // The change names which edges (a digest of them): it keys compiled sessions, and two edge sets may be the same size.
        var digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rewrite.Identity)))[..12];
        var hooked = ready.WithRewrite(rewrite.Model, points, $"residual edges: {edges.Count} (sender, receiver) pairs, {digest}");
        return new ResidualGraph(hooked, [.. senders.Select(s => s.Node)], [.. groups.SelectMany(g => g.Receivers)], edges, null);
    }

    /// <summary>One mask per receiver tensor (<see cref="ResidualEdgeMasks"/>); edges are mask elements.</summary>
    public static ResidualGraph BuildMasked(HookedModel model) => MaskedForm(Structure(model));

    static ResidualGraph MaskedForm(GraphStructure structure)
    {
        var (ready, senders, groups) = structure;
        foreach (var g in groups.Where(g => g.SlotAxis >= 0))
            if (g.SlotAxis != 2 || g.Layout.Rank != 4)
                throw new ArgumentException($"masked residual edges need per-head inputs laid out [batch, pos, head, d_model]; '{g.Target}' is not.");
        var blocks = new List<SenderBlock>();
        foreach (var s in senders)
            if (s.Axis is >= 0 and not 2) throw new ArgumentException($"masked residual edges need head results laid out [batch, pos, head, d_model]; '{s.Tensor}' is not.");
            else if (s.Axis >= 0 && blocks.Count > 0 && blocks[^1].Heads && blocks[^1].Tensor == s.Tensor) blocks[^1] = blocks[^1] with { Count = blocks[^1].Count + 1 };
            else blocks.Add(new SenderBlock(s.Tensor, 1, s.Axis >= 0));
        var edges = new List<ResidualEdge>();
        var masks = new List<(string Hook, int Receivers, int Senders)>();
        var requests = new List<MaskedReceiver>();
        foreach (var g in groups)
        {
            var hook = $"edge_mask.{g.Name}";
            masks.Add((hook, g.Receivers.Count, g.Senders));
            requests.Add(new MaskedReceiver(g.Target, g.LeadingTo, g.Receivers.Count, g.Senders, hook));
            for (int r = 0; r < g.Receivers.Count; r++)
                for (int s = 0; s < g.Senders; s++) edges.Add(new ResidualEdge(senders[s].Node, g.Receivers[r], hook, r, s));
        }
        var layout = new EdgeMasks("residual.senders", "residual.senders_reference", masks);
        var rewritten = ResidualEdgeMasks.Apply(ready.Model, blocks, requests, layout.SendersHook, layout.ReferenceHook).Model;
        var stack = new HookLayout("batch", "sender", "pos", "d_model");
        HookPoint Point(string name, HookLayout l, string what) => new(HookName.Parse(name), name, l, HookKind.Derived, what);
        var points = masks.Select(m => Point(m.Hook, new HookLayout("batch", "receiver", "sender"), "1 where an edge reads the reference instead of its sender"))
            .Append(Point(layout.SendersHook, stack, "every sender's output, in residual-graph order"))
            .Append(Point(layout.ReferenceHook, stack, "what masked edges read instead of their senders (zero unless written)"));
        var hooked = ready.WithRewrite(rewritten, points, $"residual edge masks: {edges.Count} (sender, receiver) pairs in {masks.Count} masks");
        // Edges in the edge-hook form's order: receivers forward, each receiver's senders forward.
        return new ResidualGraph(hooked, [.. senders.Select(s => s.Node)], [.. groups.SelectMany(g => g.Receivers)], edges, layout);
    }

    /// <summary>A receiver tensor: its receivers (one, or one per head along <c>SlotAxis</c>) and how many leading senders they read.</summary>
    sealed record ReceiverGroup(string Name, string Target, HookLayout Layout, string? LeadingTo, int SlotAxis, IReadOnlyList<ResidualNode> Receivers, int Senders);

    /// <summary>The model with the derived hooks edges need, the senders in forward order and the receiver tensors.</summary>
    sealed record GraphStructure(HookedModel Ready, List<(ResidualNode Node, string Tensor, int Axis, long Index)> Senders, List<ReceiverGroup> Groups);

    static GraphStructure Structure(HookedModel model)
    {
        var map = model.Map;
        if (!map.Contains("logits") || !map.Contains("hook_embed"))
            throw new ArgumentException("the residual graph needs a recognised decoder with hook_embed and logits.");
        int layers = map.NLayers, heads = map.NHeads;
        bool mlps = !map.Config.AttnOnly && map.Contains("blocks.0.hook_mlp_out");
        var ready = model.WithDerived("blocks.*.attn.hook_result", "blocks.*.hook_q_input", "blocks.*.hook_k_input", "blocks.*.hook_v_input");
        var m = ready.Map;

        // Senders in forward order, so each receiver reads a prefix of them.
        var senders = new List<(ResidualNode Node, string Tensor, int Axis, long Index)> { (new("embed", -1), m["hook_embed"].Tensor, -1, -1) };
        if (m.Contains("hook_pos_embed")) senders.Add((new("pos_embed", -1), m["hook_pos_embed"].Tensor, -1, -1));
        var groups = new List<ReceiverGroup>();
        for (int l = 0; l < layers; l++)
        {
            int before = senders.Count;
            foreach (var part in new[] { "q", "k", "v" })
            {
                var input = m[$"blocks.{l}.hook_{part}_input"];
                groups.Add(new ReceiverGroup($"L{l}_{part}", input.Tensor, input.Layout, null, input.Layout.IndexOf("head"),
                    [.. Enumerable.Range(0, heads).Select(h => new ResidualNode($"L{l}H{h}_{part}", l, h))], before));
            }
            var result = m[$"blocks.{l}.attn.hook_result"];
            for (int h = 0; h < heads; h++) senders.Add((new($"L{l}H{h}", l, h), result.Tensor, result.Layout.IndexOf("head"), h));
            if (mlps)
            {
                groups.Add(new ReceiverGroup($"mlp{l}", m[$"blocks.{l}.hook_resid_mid"].Tensor, HookLayout.Residual, m[$"blocks.{l}.mlp.hook_pre"].Tensor, -1,
                    [new ResidualNode($"mlp{l}", l)], senders.Count));
                senders.Add((new($"mlp{l}", l), m[$"blocks.{l}.hook_mlp_out"].Tensor, -1, -1));
            }
        }
        groups.Add(new ReceiverGroup("logits", m[$"blocks.{layers - 1}.hook_resid_post"].Tensor, HookLayout.Residual, m["logits"].Tensor, -1, [new ResidualNode("logits", layers)], senders.Count));
        return new GraphStructure(ready, senders, groups);
    }
}
