using OnnxInterp.Graph;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>Turns a recognised <see cref="Decoder"/> into a <see cref="HookMap"/>: graph hooks, pending derived hooks, parameters.</summary>
internal sealed class HookMapBuilder(OnnxGraph graph, Decoder decoder)
{
    const string ScoresNote = "pre-softmax scores, scaled and masked; masked entries hold the export's fill value (e.g. -10000 or the float minimum) where TransformerLens has -inf";
    const string HeadNote = "the head-split Reshape output (exact, before the exporter's Transpose); with a past cache: new positions only";

    readonly List<HookPoint> points = [];
    readonly List<ParameterRef> parameters = [];
    readonly HashSet<string> planned = new(StringComparer.Ordinal);
    HookConfig Config => decoder.Config;

    public HookMap Build()
    {
        if (decoder.Embed is { } e)
        {
            Add("hook_embed", e.Output);
            Param("W_E", e.Table, "Gather (embedding lookup)", "d_vocab", "d_model");
        }
        if (decoder.PosEmbed is { } p)
        {
            if (p.BroadcastLike is null) Add("hook_pos_embed", p.Output);
            else Pending("hook_pos_embed", new BroadcastFixDerivation("hook_pos_embed", new DerivedBroadcast.Request(p.Output, p.BroadcastLike, Plan("hook_pos_embed"))),
                HookKind.Layout, $"'{p.Output}' (positions computed in the graph, without the batch axis) expanded over the batch");
            Param("W_pos", p.Table, p.BroadcastLike is null ? "Gather (embedding lookup)" : "Slice of the table's first rows", "n_ctx", "d_model");
        }
        foreach (var b in decoder.Blocks) AddBlock(b);
        if (decoder.LnFinal is { } lnf) AddLayerNorm("ln_final", lnf);
        if (decoder.Unembed is { } u)
        {
            Add("logits", u.Output);
            Param("W_U", u.Weight, u.Transposed, u.Form, null, "d_model", "d_vocab");
            if (u.Bias is not null) Param("b_U", u.Bias, "bias of the unembedding", "d_vocab");
        }
        return new HookMap(points, Config, parameters, $"recognised: {decoder.Evidence}");
    }

    void AddBlock(Block b)
    {
        var l = b.Index;
        string P(string family) => $"blocks.{l}.{family}";
        var a = b.Attn;
        Add(P("hook_resid_pre"), b.ResidPre);
        AddQkvInputs(b);
        if (b.Ln1 is { } ln1) AddLayerNorm(P("ln1"), ln1);
        foreach (var (h, letter) in new[] { (a.Q, "q"), (a.K, "k"), (a.V, "v") })
        {
            var name = P($"attn.hook_{letter}");
            if (h.Perm is null) Add(name, h.Tensor, HeadNote);
            else Pending(name, new LayoutFixDerivation(name, new DerivedTranspose.Request(h.Tensor, h.Perm, Plan(name))), HookKind.Layout,
                $"Transpose of '{h.Tensor}' (perm [{string.Join(", ", h.Perm)}]) to the documented layout");
        }
        Add(P("attn.hook_attn_scores"), a.Scores, ScoresNote);
        Add(P("attn.hook_pattern"), a.Pattern);
        Add(P("attn.hook_z"), a.Z);
        Pending(P("attn.hook_result"), new HeadResultDerivation(l, new DerivedHeadResult.Request(
            a.Z, a.Out.Output, a.Out.Weight, a.Out.Transposed, a.Out.Bias, Config.NHeads, Config.DHead,
            Plan(P("attn.hook_result")), Plan(P("hook_attn_out")))), HookKind.Derived,
            "z times W_O split by head; the attention output is then recomputed as the sum over heads plus b_O (equal within 1e-5)");
        Add(P("hook_attn_out"), b.AttnOut);
        AddQkvWeights(l, a);
        Param(P("attn.W_O"), a.Out.Weight, a.Out.Transposed, $"{a.Out.Form} reading z; rows split by head", null, "head*d_head", "d_model");
        if (a.Out.Bias is not null) Param(P("attn.b_O"), a.Out.Bias, "bias of the output projection", "d_model");
        if (b.HasMlp)
        {
            Add(P("hook_resid_mid"), b.ResidMid);
            if (b.Ln2 is { } ln2) AddLayerNorm(P("ln2"), ln2);
            Add(P("mlp.hook_pre"), b.MlpIn!.Output);
            Add(P("mlp.hook_post"), b.MlpOut!.Input);
            Add(P("hook_mlp_out"), b.MlpOut.Output);
            Param(P("mlp.W_in"), b.MlpIn.Weight, b.MlpIn.Transposed, b.MlpIn.Form, null, "d_model", "d_mlp");
            if (b.MlpIn.Bias is not null) Param(P("mlp.b_in"), b.MlpIn.Bias, "bias of the MLP input", "d_mlp");
            Param(P("mlp.W_out"), b.MlpOut.Weight, b.MlpOut.Transposed, b.MlpOut.Form, null, "d_mlp", "d_model");
            if (b.MlpOut.Bias is not null) Param(P("mlp.b_out"), b.MlpOut.Bias, "bias of the MLP output", "d_model");
        }
        Add(P("hook_resid_post"), b.ResidPost);
    }

    void AddQkvInputs(Block b)
    {
        var a = b.Attn;
        var heads = new[] { a.Q, a.K, a.V };
        if (heads.Any(h => h.Perm is not null || h.Projection is null)) return;
        var letters = new[] { "q", "k", "v" };
        var branches = heads.Select((h, i) => new DerivedQkvInputs.Branch(h.Tensor,
            Plan($"blocks.{b.Index}.hook_{letters[i]}_input"), Plan($"blocks.{b.Index}.attn.hook_{letters[i]}"),
            h.Projection!.Linear.Weight, h.Projection.Linear.Transposed, h.Projection.Start, h.Projection.Linear.Bias)).ToList();
        var ln = b.Ln1 is { } l1 ? new DerivedQkvInputs.LayerNormSpec(l1.Weight, l1.Bias, l1.Epsilon) : null;
        var d = new QkvInputDerivation(b.Index, new DerivedQkvInputs.Request(b.ResidPre, ln, Config.NHeads, Config.DHead, branches));
        foreach (var letter in letters)
            Pending($"blocks.{b.Index}.hook_{letter}_input", d, HookKind.Derived,
                $"hook_resid_pre broadcast per head; {letter} gets its own ln1 copy and projection, so it can be patched alone");
    }

    void AddLayerNorm(string prefix, LayerNorm ln)
    {
        if (ln.Fused is null)
        {
            Add($"{prefix}.hook_scale", ln.Scale!);
            Add($"{prefix}.hook_normalized", ln.Normalized!);
        }
        else
        {
            var d = new LayerNormDerivation(prefix, new DerivedLayerNorm.Request(ln.Output, Plan($"{prefix}.hook_scale"), Plan($"{prefix}.hook_normalized")));
            const string note = "from decomposing the fused LayerNormalization (outputs equal within 1e-5)";
            Pending($"{prefix}.hook_scale", d, HookKind.Derived, note);
            Pending($"{prefix}.hook_normalized", d, HookKind.Derived, note);
        }
        var form = ln.Fused is null ? "decomposed LayerNorm" : "LayerNormalization";
        Param($"{prefix}.w", ln.Weight, $"{form} scale", "d_model");
        Param($"{prefix}.b", ln.Bias, $"{form} bias", "d_model");
    }

    void Add(string name, string tensor, string? note = null) =>
        points.Add(new HookPoint(HookName.Parse(name), tensor, HookNames.StandardLayout(name)!, HookKind.Graph, note));

    void Pending(string name, Derivation d, HookKind kind, string note) =>
        points.Add(new HookPoint(HookName.Parse(name), d.Provides[name], HookNames.StandardLayout(name)!, kind, note) { Derivation = d });

    /// <summary>A tensor name for a derived hook: the hook's own name unless the graph already uses it.</summary>
    string Plan(string hook)
    {
        var name = graph.FreshName(hook);
        for (int i = 1; !planned.Add(name); i++) name = graph.FreshName($"{hook}_{i}");
        return name;
    }

    /// <summary>
    /// W_Q, W_K, W_V and their biases: the columns of the (possibly fused c_attn) projection each of q, k, v reads.
    /// Heads whose projection was not found get no entry; the weight reader then explains what the graph holds.
    /// </summary>
    void AddQkvWeights(int layer, Attention a)
    {
        foreach (var (h, letter) in new[] { (a.Q, "Q"), (a.K, "K"), (a.V, "V") })
        {
            if (h.Projection is not { } proj) continue;
            var linear = proj.Linear;
            long total = OutFeatures(linear) ?? proj.Width;
            var columns = proj.Start == 0 && proj.Width == total ? null : new ColumnRange(proj.Start, proj.Width);
            var how = columns is null
                ? $"{linear.Form}; columns split by head"
                : $"{linear.Form} of a fused q/k/v projection, {columns} of {total}; split by head";
            Param($"blocks.{layer}.attn.W_{letter}", linear.Weight, linear.Transposed, how, columns, "d_model", columns is null ? "head*d_head" : "q|k|v*head*d_head");
            if (linear.Bias is not null)
                Param($"blocks.{layer}.attn.b_{letter}", linear.Bias, false, columns is null ? "projection bias" : $"projection bias, {columns}", columns,
                    columns is null ? "head*d_head" : "q|k|v*head*d_head");
        }
    }

    long? OutFeatures(Linear linear)
    {
        var proto = graph.Initializers.TryGetValue(linear.Weight, out var init) ? init : graph.Producer(linear.Weight)?.Attribute("value")?.T;
        return proto?.Dims is [var rows, var cols] ? linear.Transposed ? rows : cols : null;
    }

    void Param(string name, string? tensor, string derivation, params string[] axes) => Param(name, tensor, false, derivation, null, axes);

    void Param(string name, string? tensor, bool transposed, string derivation, ColumnRange? columns, params string[] axes)
    {
        if (tensor is null) return;
        parameters.Add(new ParameterRef(name, tensor, transposed ? [.. axes.Reverse()] : axes, transposed, columns, derivation));
    }
}
