using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Analysis.Paths;

/// <summary>A node of the residual graph: what writes into the residual stream (senders) or reads it (receivers).</summary>
/// <param name="Name">Short name: <c>embed</c>, <c>pos_embed</c>, <c>L1H2</c>, <c>mlp0</c>; receivers <c>L1H2_q</c>, <c>mlp0</c>, <c>logits</c>.</param>
/// <param name="Layer">The block (-1 for embeddings, n_layers for logits).</param>
/// <param name="Head">The head, for heads and their q/k/v inputs.</param>
public sealed record ResidualNode(string Name, int Layer, int? Head = null);

/// <summary>One edge: its hook (<c>edge.L0H3.L1H2_k</c>, [batch, pos, d_model]: the sender's output as that receiver reads it).</summary>
public sealed record ResidualEdge(ResidualNode Sender, ResidualNode Receiver, string Hook);

/// <summary>
/// The residual graph of a decoder (A Mathematical Framework for Transformer Circuits; ACDC): senders are the token and
/// position embeddings, every head (its <c>attn.hook_result</c>) and every MLP; receivers are every head's q, k and v
/// inputs (the derived <c>hook_q_input</c> etc. at that head), every MLP's input and the logits (the final residual
/// as the unembedding reads it). Every (sender, receiver) pair with the sender earlier becomes a hook of the model
/// (<see cref="ResidualEdges"/>), so path patching, ACDC and causal scrubbing are engine writes on edge hooks.
/// </summary>
public sealed class ResidualGraph
{
    ResidualGraph(HookedModel model, IReadOnlyList<ResidualNode> senders, IReadOnlyList<ResidualNode> receivers, IReadOnlyList<ResidualEdge> edges)
    {
        Model = model;
        Senders = senders;
        Receivers = receivers;
        Edges = edges;
    }

    /// <summary>The model with every edge hook (and the derived hooks they need).</summary>
    public HookedModel Model { get; }
    public IReadOnlyList<ResidualNode> Senders { get; }
    public IReadOnlyList<ResidualNode> Receivers { get; }
    /// <summary>Every edge, receivers in forward order, each receiver's senders in forward order.</summary>
    public IReadOnlyList<ResidualEdge> Edges { get; }

    public ResidualEdge Edge(string sender, string receiver) =>
        Edges.FirstOrDefault(e => e.Sender.Name == sender && e.Receiver.Name == receiver)
        ?? throw new ArgumentException($"the residual graph has no edge {sender} -> {receiver} (a sender must come before its receiver; senders are embed, pos_embed, LlHh, mlpL; receivers LlHh_q|k|v, mlpL, logits).");

    public static ResidualGraph Build(HookedModel model)
    {
        var map = model.Map;
        if (!map.Contains("logits") || !map.Contains("hook_embed"))
            throw new ArgumentException("the residual graph needs a recognised decoder with hook_embed and logits.");
        int layers = map.NLayers, heads = map.NHeads;
        bool mlps = !map.Config.AttnOnly && map.Contains("blocks.0.hook_mlp_out");
        var ready = model.WithDerived("blocks.*.attn.hook_result", "blocks.*.hook_q_input", "blocks.*.hook_k_input", "blocks.*.hook_v_input");
        var m = ready.Map;

        var senders = new List<(ResidualNode Node, string Tensor, int Axis, long Index)> { (new("embed", -1), m["hook_embed"].Tensor, -1, -1) };
        if (m.Contains("hook_pos_embed")) senders.Add((new("pos_embed", -1), m["hook_pos_embed"].Tensor, -1, -1));
        for (int l = 0; l < layers; l++)
        {
            var result = m[$"blocks.{l}.attn.hook_result"];
            for (int h = 0; h < heads; h++) senders.Add((new($"L{l}H{h}", l, h), result.Tensor, result.Layout.IndexOf("head"), h));
            if (mlps) senders.Add((new($"mlp{l}", l), m[$"blocks.{l}.hook_mlp_out"].Tensor, -1, -1));
        }

        var receivers = new List<ResidualNode>();
        var requests = new List<EdgeReceiver>();
        var edges = new List<ResidualEdge>();
        IReadOnlyList<EdgeTerm> Terms(ResidualNode receiver, Func<ResidualNode, bool> upstream)
        {
            var terms = new List<EdgeTerm>();
            foreach (var (node, tensor, axis, index) in senders.Where(s => upstream(s.Node)))
            {
                var hook = $"edge.{node.Name}.{receiver.Name}";
                terms.Add(new EdgeTerm(hook, tensor, axis, index));
                edges.Add(new ResidualEdge(node, receiver, hook));
            }
            return terms;
        }
        for (int l = 0; l < layers; l++)
        {
            foreach (var part in new[] { "q", "k", "v" })
            {
                var input = m[$"blocks.{l}.hook_{part}_input"];
                var slots = new List<IReadOnlyList<EdgeTerm>>();
                for (int h = 0; h < heads; h++)
                {
                    var receiver = new ResidualNode($"L{l}H{h}_{part}", l, h);
                    receivers.Add(receiver);
                    int layer = l;
                    slots.Add(Terms(receiver, s => s.Layer < layer));
                }
                requests.Add(new EdgeReceiver(input.Tensor, null, slots, input.Layout.IndexOf("head")));
            }
            if (mlps)
            {
                var receiver = new ResidualNode($"mlp{l}", l);
                receivers.Add(receiver);
                int layer = l;
                requests.Add(new EdgeReceiver(m[$"blocks.{l}.hook_resid_mid"].Tensor, m[$"blocks.{l}.mlp.hook_pre"].Tensor,
                    [Terms(receiver, s => s.Layer < layer || s.Layer == layer && s.Head is not null)]));
            }
        }
        var logits = new ResidualNode("logits", layers);
        receivers.Add(logits);
        requests.Add(new EdgeReceiver(m[$"blocks.{layers - 1}.hook_resid_post"].Tensor, m["logits"].Tensor, [Terms(logits, _ => true)]));

        var rewritten = ResidualEdges.Apply(ready.Model, requests).Model;
        var points = edges.Select(e => new HookPoint(HookName.Parse(e.Hook), e.Hook, HookLayout.Residual, HookKind.Derived,
            $"{e.Sender.Name} as {e.Receiver.Name} reads it (direct path)"));
        var hooked = ready.WithRewrite(rewritten, points, $"residual edges: {edges.Count} (sender, receiver) pairs");
        return new ResidualGraph(hooked, [.. senders.Select(s => s.Node)], receivers, edges);
    }
}
