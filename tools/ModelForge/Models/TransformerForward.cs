using TorchSharp;
using static TorchSharp.torch;

namespace OnnxInterp.ModelForge.Models;

/// <summary>
/// The TorchSharp forward pass, written op for op like the exported ONNX graph (HF GPT-2 eager attention), so
/// training and export compute the same function: fused QKV, causal Where with finfo.min, additive
/// attention-mask term (1 - mask) * finfo.min, tanh GELU, LayerNorm eps 1e-5.
/// </summary>
public static class TransformerForward
{
    const float FloatMin = float.MinValue;

    /// <summary>
    /// The residual stream after the final LayerNorm, [batch, seq, d_model]. <paramref name="past"/> holds
    /// per-layer keys and values [batch, heads, past_seq, d_head]; <paramref name="presents"/>, when given,
    /// receives the concatenated keys and values. Positions default to past_seq .. past_seq + seq - 1.
    /// </summary>
    /// <paramref name="lastPositionOnly"/> computes the last layer's queries, MLP and output only at the last
    /// position (all a next-token loss at that position reads; the modadd training uses it).
    /// <paramref name="hooks"/>, when given, sees (and may replace) each block's residual input and per-head z.
    public static Tensor Hidden(TransformerWeights w, Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null,
        IReadOnlyList<(Tensor Key, Tensor Value)>? past = null, List<(Tensor Key, Tensor Value)>? presents = null,
        bool lastPositionOnly = false, ForwardHooks? hooks = null)
    {
        var c = w.Config;
        var n = w.Names;
        long batch = inputIds.shape[0], seq = inputIds.shape[1];
        long pastLength = past is null ? 0 : past[0].Key.shape[2];
        positionIds ??= torch.arange(pastLength, pastLength + seq, dtype: ScalarType.Int64).unsqueeze(0).expand(batch, seq);
        var x = Embedding(w[n.Embed], inputIds) + Embedding(w[n.PosEmbed], positionIds);
        for (int l = 0; l < c.Layers; l++)
        {
            if (hooks?.ResidPre is { } residPre) x = residPre(l, x);
            var h = c.HasLayerNorm ? LayerNorm(x, w[n.Ln1Weight(l)], w[n.Ln1Bias(l)]) : x;
            bool lastOnly = lastPositionOnly && l == c.Layers - 1;
            var (attn, key, value) = Attention(w, l, h, attentionMask, past?[l], lastOnly, hooks?.Z);
            presents?.Add((key, value));
            x = (lastOnly ? x.narrow(1, seq - 1, 1) : x) + attn;
            if (!c.HasMlp) continue;
            var h2 = c.HasLayerNorm ? LayerNorm(x, w[n.Ln2Weight(l)], w[n.Ln2Bias(l)]) : x;
            var pre = h2.matmul(w[n.MlpInWeight(l)]) + w[n.MlpInBias(l)];
            var post = c.Architecture == Architecture.Gpt2 ? GeluNew(pre) : torch.nn.functional.relu(pre);
            x = x + (post.matmul(w[n.MlpOutWeight(l)]) + w[n.MlpOutBias(l)]);
        }
        return c.HasLayerNorm ? LayerNorm(x, w[n.LnFinalWeight], w[n.LnFinalBias]) : x;
    }

    /// <summary>Logits for a hidden state [..., d_model]: tied wte^T for GPT-2, W_U + b_U otherwise.</summary>
    public static Tensor Unembed(TransformerWeights w, Tensor hidden) =>
        w.Names.Unembed is null
            ? hidden.matmul(w[w.Names.Embed].t())
            : hidden.matmul(w[w.Names.Unembed]) + w[w.Names.UnembedBias!];

    public static Tensor Logits(TransformerWeights w, Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null,
        IReadOnlyList<(Tensor Key, Tensor Value)>? past = null, List<(Tensor Key, Tensor Value)>? presents = null,
        ForwardHooks? hooks = null) =>
        Unembed(w, Hidden(w, inputIds, attentionMask, positionIds, past, presents, hooks: hooks));

    static (Tensor Output, Tensor Key, Tensor Value) Attention(TransformerWeights w, int l, Tensor h, Tensor? attentionMask,
        (Tensor Key, Tensor Value)? past, bool lastQueryOnly, Func<int, Tensor, Tensor>? zHook)
    {
        var c = w.Config;
        var n = w.Names;
        long batch = h.shape[0];
        var qkv = h.matmul(w[n.QkvWeight(l)]) + w[n.QkvBias(l)];
        var parts = qkv.chunk(3, -1);
        Tensor SplitHeads(Tensor t) => t.reshape(batch, t.shape[1], c.Heads, c.DHead).permute(0, 2, 1, 3);
        var queries = lastQueryOnly ? parts[0].narrow(1, h.shape[1] - 1, 1) : parts[0];
        Tensor q = SplitHeads(queries), k = SplitHeads(parts[1]), v = SplitHeads(parts[2]);
        long seq = q.shape[2];
        if (past is { } p)
        {
            k = torch.cat([p.Key, k], 2);
            v = torch.cat([p.Value, v], 2);
        }
        long keyLength = k.shape[2];
        var scores = q.matmul(k.transpose(-1, -2)) / (float)Math.Sqrt(c.DHead);
        var causal = torch.ones(keyLength, keyLength, dtype: ScalarType.Bool).tril().narrow(0, keyLength - seq, seq);
        scores = scores.masked_fill(causal.logical_not(), FloatMin);
        if (attentionMask is not null)
            scores = scores + (1.0f - attentionMask.to_type(ScalarType.Float32)).unsqueeze(1).unsqueeze(2) * FloatMin;
        var pattern = scores.softmax(-1);
        var z = pattern.matmul(v).permute(0, 2, 1, 3);
        if (zHook is not null) z = zHook(l, z);
        z = z.reshape(batch, seq, c.AttentionWidth);
        return (z.matmul(w[n.OutWeight(l)]) + w[n.OutBias(l)], k, v);
    }

    static Tensor Embedding(Tensor table, Tensor ids) =>
        table.index_select(0, ids.flatten()).view(ids.shape[0], ids.shape[1], table.shape[1]);

    static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias) =>
        torch.nn.functional.layer_norm(x, [x.shape[^1]], weight, bias, TransformerConfig.LayerNormEpsilon);

    /// <summary>HF's NewGELUActivation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).</summary>
    static Tensor GeluNew(Tensor x) =>
        0.5f * x * (1.0f + torch.tanh((float)Math.Sqrt(2.0 / Math.PI) * (x + 0.044715f * x.pow(3))));
}

/// <summary>
/// Eager interventions on <see cref="TransformerForward.Hidden"/>, in TransformerLens's hook layouts: each callback takes
/// the layer and the activation and returns the tensor the forward continues with (the same one to only read it).
/// </summary>
public sealed record ForwardHooks
{
    /// <summary>blocks.{l}.hook_resid_pre, [batch, pos, d_model].</summary>
    public Func<int, Tensor, Tensor>? ResidPre { get; init; }

    /// <summary>blocks.{l}.attn.hook_z, [batch, pos, head, d_head] (attention output per head, before c_proj).</summary>
    public Func<int, Tensor, Tensor>? Z { get; init; }
}
