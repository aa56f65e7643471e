using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;
using static OnnxInterp.Tests.Hooks.HookTestSupport;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// The hooks hold the values their names promise: checked by running the model with every hook exposed on random
/// token ids and recomputing each relation in plain C#.
/// </summary>
public class HookIdentityTests
{
    [ExternalModelTheory]
    [ClassData(typeof(ExternalGpt2Models))]
    public void External_gpt2_hooks_satisfy_the_transformer_identities(string label) => AssertIdentities(Load(label));

    [ToyModelTheory]
    [ClassData(typeof(ToyModelFiles))]
    public void Toy_model_hooks_satisfy_the_transformer_identities(string label) => AssertIdentities(Load(label));

    internal static void AssertIdentities(HookedModel m)
    {
        // LayerNormalization ops (opset 17) have their scale and normalized tensors only once decomposed.
        var layerNorm = m.Map.Points.Where(p => p.IsPending && p.Name.Value.Contains("ln")).Select(p => p.Name.Value).ToArray();
        if (layerNorm.Length > 0) m = m.WithDerived(layerNorm);
        var caps = Capture(m, m.Map.Points.Where(p => !p.IsPending), FeedsFor(m));
        var c = m.Map.Config;
        for (int l = 0; l < c.NLayers; l++)
        {
            string B(string family) => $"blocks.{l}.{family}";
            // resid_mid = resid_pre + attn_out; resid_post = resid_mid + mlp_out (attention-only: resid_post = resid_pre + attn_out)
            var afterAttn = caps.GetValueOrDefault(B("hook_resid_mid")) ?? caps[B("hook_resid_post")];
            AssertSum(caps[B("hook_resid_pre")], caps[B("hook_attn_out")], afterAttn, B("hook_resid_pre + attn_out"));
            if (caps.ContainsKey(B("hook_mlp_out")))
                AssertSum(caps[B("hook_resid_mid")], caps[B("hook_mlp_out")], caps[B("hook_resid_post")], B("hook_resid_mid + mlp_out"));
            if (l + 1 < c.NLayers) Feeds.AssertBitIdentical(caps[B("hook_resid_post")], caps[$"blocks.{l + 1}.hook_resid_pre"]);

            AssertCausalDistributions(caps[B("attn.hook_pattern")], causal: true);
            AssertPatternTimesValueIsZ(caps[B("attn.hook_pattern")], caps[B("attn.hook_v")], caps[B("attn.hook_z")]);
            AssertScoresAreScaledQueryKeyProducts(caps[B("attn.hook_q")], caps[B("attn.hook_k")], caps[B("attn.hook_attn_scores")]);
            if (m.Map.TryGet(B("ln1.hook_scale"), out _))
                AssertLayerNormHooks(caps[B("hook_resid_pre")], caps[B("ln1.hook_scale")], caps[B("ln1.hook_normalized")]);
        }
        var last = caps[$"blocks.{c.NLayers - 1}.hook_resid_post"];
        if (!m.Map.Contains("ln_final.hook_normalized")) return;
        AssertLayerNormHooks(last, caps["ln_final.hook_scale"], caps["ln_final.hook_normalized"]);
        var lnOut = Affine(caps["ln_final.hook_normalized"], Weight(m.Model, m.Map.Parameter("ln_final.w").Tensor), Weight(m.Model, m.Map.Parameter("ln_final.b").Tensor));
        if (m.Map.TryGet("logits", out _)) AssertUnembed(m, lnOut, caps["logits"]);
        else Feeds.AssertClose(caps["output:hidden_states"], lnOut, 1e-5); // GPT2Model: its output is ln_final's output
    }

    static void AssertSum(NamedTensor a, NamedTensor b, NamedTensor sum, string what)
    {
        var (x, y, s) = (a.ToFloats(), b.ToFloats(), sum.ToFloats());
        Assert.Equal(a.Shape, sum.Shape);
        for (int i = 0; i < s.Length; i++) AssertClose(x[i] + y[i], s[i], 1e-6, $"{what}[{i}]");
    }

    /// <summary>Rows of [batch, head, q_pos, k_pos] sum to 1; causal ones are zero above the diagonal.</summary>
    internal static void AssertCausalDistributions(NamedTensor pattern, bool causal)
    {
        var (b, h, q, k) = (pattern.Shape[0], pattern.Shape[1], pattern.Shape[2], pattern.Shape[3]);
        var p = pattern.ToFloats();
        double above = 0;
        for (long i = 0; i < b * h; i++)
            for (long r = 0; r < q; r++)
            {
                double sum = 0;
                for (long col = 0; col < k; col++)
                {
                    var v = p[(i * q + r) * k + col];
                    Assert.True(v >= 0, $"{pattern.Name}: negative probability {v}");
                    sum += v;
                    if (col > r) above = Math.Max(above, v);
                }
                AssertClose(1f, (float)sum, 1e-5, $"{pattern.Name} row {r} sum");
            }
        if (causal) Assert.True(above == 0, $"{pattern.Name} is not causal: {above} above the diagonal");
        else Assert.True(above > 1e-3, $"{pattern.Name} attends only backwards (max above the diagonal {above}), expected a bidirectional pattern");
    }

    /// <summary>z[b, q, h, :] = sum over k of pattern[b, h, q, k] v[b, k, h, :].</summary>
    static void AssertPatternTimesValueIsZ(NamedTensor pattern, NamedTensor v, NamedTensor z)
    {
        var (b, h, q, k) = (pattern.Shape[0], pattern.Shape[1], pattern.Shape[2], pattern.Shape[3]);
        long d = v.Shape[3];
        var (p, vv, zz) = (pattern.ToFloats(), v.ToFloats(), z.ToFloats());
        for (long bi = 0; bi < b; bi++)
            for (long hi = 0; hi < h; hi++)
                for (long qi = 0; qi < q; qi++)
                    for (long di = 0; di < d; di++)
                    {
                        double sum = 0;
                        for (long ki = 0; ki < k; ki++)
                            sum += p[Index(pattern.Shape, bi, hi, qi, ki)] * vv[Index(v.Shape, bi, ki, hi, di)];
                        AssertClose((float)sum, zz[Index(z.Shape, bi, qi, hi, di)], 1e-5, $"z[{bi},{qi},{hi},{di}]");
                    }
    }

    /// <summary>Unmasked scores (k_pos &lt;= q_pos) are q·k / sqrt(d_head).</summary>
    static void AssertScoresAreScaledQueryKeyProducts(NamedTensor q, NamedTensor k, NamedTensor scores)
    {
        var (b, s, h, d) = (q.Shape[0], q.Shape[1], q.Shape[2], q.Shape[3]);
        var (qq, kk, sc) = (q.ToFloats(), k.ToFloats(), scores.ToFloats());
        for (long bi = 0; bi < b; bi++)
            for (long hi = 0; hi < h; hi++)
                for (long qi = 0; qi < s; qi++)
                    for (long ki = 0; ki <= qi; ki++)
                    {
                        double dot = 0;
                        for (long di = 0; di < d; di++) dot += qq[Index(q.Shape, bi, qi, hi, di)] * kk[Index(k.Shape, bi, ki, hi, di)];
                        AssertClose((float)(dot / Math.Sqrt(d)), sc[Index(scores.Shape, bi, hi, qi, ki)], 1e-4, $"scores[{bi},{hi},{qi},{ki}]");
                    }
    }

    /// <summary>scale = sqrt(var(x) + 1e-5) over d_model; normalized = (x - mean(x)) / scale.</summary>
    internal static void AssertLayerNormHooks(NamedTensor x, NamedTensor scale, NamedTensor normalized)
    {
        long d = x.Shape[^1];
        var (xs, sc, nz) = (x.ToFloats(), scale.ToFloats(), normalized.ToFloats());
        for (long row = 0; row < xs.Length / d; row++)
        {
            double mean = 0, variance = 0;
            for (long i = 0; i < d; i++) mean += xs[row * d + i];
            mean /= d;
            for (long i = 0; i < d; i++) variance += Math.Pow(xs[row * d + i] - mean, 2);
            var expected = Math.Sqrt(variance / d + 1e-5);
            AssertClose((float)expected, sc[row], 1e-5, $"{scale.Name}[{row}]");
            for (long i = 0; i < d; i++)
                AssertClose((float)((xs[row * d + i] - mean) / expected), nz[row * d + i], 1e-4, $"{normalized.Name}[{row},{i}]");
        }
    }

    static NamedTensor Affine(NamedTensor normalized, float[] w, float[] b)
    {
        var n = normalized.ToFloats();
        var y = new float[n.Length];
        for (int i = 0; i < n.Length; i++) y[i] = n[i] * w[i % w.Length] + b[i % b.Length];
        return NamedTensor.Float("ln_final(x)", normalized.Shape, y);
    }

    /// <summary>logits = ln_final(x) @ W_U (+ b_U), with W_U read from where the map says it is stored.</summary>
    static void AssertUnembed(HookedModel m, NamedTensor x, NamedTensor logits)
    {
        var wu = m.Map.Parameter("W_U");
        var w = Weight(m.Model, wu.Tensor);
        var b = m.Map.Parameters.TryGetValue("b_U", out var bu) ? Weight(m.Model, bu.Tensor) : null;
        long d = m.Map.DModel, vocab = m.Map.DVocab;
        var xs = x.ToFloats();
        var lg = logits.ToFloats();
        // Check a sample of vocabulary entries (the tiny GPT-2 has 50257): every row, 64 columns spread over the vocabulary.
        for (long row = 0; row < xs.Length / d; row++)
            for (long col = 0; col < vocab; col += Math.Max(1, vocab / 64))
            {
                double sum = b?[col] ?? 0;
                for (long i = 0; i < d; i++) sum += xs[row * d + i] * w[wu.Transposed ? col * d + i : i * vocab + col];
                AssertClose((float)sum, lg[row * vocab + col], 1e-4, $"logits[{row},{col}]");
            }
    }
}
