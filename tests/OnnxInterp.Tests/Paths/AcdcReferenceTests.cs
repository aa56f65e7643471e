using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Paths;

/// <summary>
/// ACDC's per-edge scores against a reference without edge hooks: each test recomputed with C# hook functions that store
/// every sender's output as the run computes it and add, at each receiver's own hook, the corrupted minus the stored
/// output of every removed edge into it (attn-only-2l: no MLP receivers, whose input a hook function cannot isolate).
/// </summary>
public sealed class AcdcReferenceTests
{
    [ToyModelFact("attn-only-2l.onnx")]
    public void Every_edge_score_equals_the_hook_function_reference()
    {
        var model = HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        long[] a = [301, 58, 422, 97, 233, 17, 390, 145], b = [150, 33, 260, 480, 77, 299, 412, 66];
        long[] clean = [0, .. a, .. a], corrupted = [0, .. b, .. a];
        const int position = 12;
        var result = CircuitDiscovery.Run(model, new DiscoveryRequest([new PromptPair(clean, corrupted, -1, Position: position)], 0.1, MetricKind.Kl));

        using var reference = new InterpModel(model);
        string[] senderHooks = ["hook_embed", "hook_pos_embed", "blocks.0.attn.hook_result", "blocks.1.attn.hook_result"];
        var corruptedCache = reference.RunWithCache(corrupted, senderHooks).Cache;
        var cleanLogits = reference.RunWithCache(clean).Logits;
        var p = LogitMetrics.LogSoftmax(LogitMetrics.Row(cleanLogits, 0, position));

        double Kl(IReadOnlyCollection<ResidualEdge> removed)
        {
            var stored = new Dictionary<string, NamedTensor>();
            var functions = senderHooks.Select(h => (h, (HookFunction)((x, _) => { stored[h] = x; return x; }))).ToList();
            foreach (var receiver in removed.Select(e => e.Receiver).Distinct())
            {
                var (hook, head) = receiver.Name == "logits" ? ("blocks.1.hook_resid_post", (int?)null)
                    : ($"blocks.{receiver.Layer}.hook_{receiver.Name.Split('_')[1]}_input", receiver.Head);
                var into = removed.Where(e => e.Receiver == receiver).Select(e => e.Sender).ToList();
                functions.Add((hook, (x, _) =>
                {
                    var data = (float[])x.Floats.Clone();
                    foreach (var sender in into)
                    {
                        var (senderHook, senderHead) = sender.Head is { } sh ? ($"blocks.{sender.Layer}.attn.hook_result", (int?)sh) : (sender.Name == "embed" ? "hook_embed" : "hook_pos_embed", null);
                        var now = Output(stored[senderHook], senderHead);
                        var then = Output(corruptedCache[senderHook], senderHead);
                        AddAt(data, x.Shape, head, then.Zip(now, (c, o) => c - o).ToArray());
                    }
                    return x with { Data = data };
                }));
            }
            var logits = reference.RunWithHooks(clean, [.. functions]);
            return LogitMetrics.Kl(p, LogitMetrics.Row(logits, 0, position));
        }

        var removedSoFar = new List<ResidualEdge>();
        double current = Kl(removedSoFar);
        foreach (var test in result.Tests)
        {
            double without = Kl([.. removedSoFar, test.Edge]);
            Assert.True(Math.Abs(without - current - test.Harm) < 1e-5, $"{test.Edge.Sender.Name} -> {test.Edge.Receiver.Name}: {test.Harm} vs reference {without - current}");
            if (test.Removed) { removedSoFar.Add(test.Edge); current = without; }
        }
    }

    /// <summary>[1, pos, d_model] of a residual hook, or one head of a [1, pos, head, d_model] one, flattened.</summary>
    static float[] Output(NamedTensor t, int? head)
    {
        if (head is not { } h) return t.Floats;
        long pos = t.Shape[1], heads = t.Shape[2], d = t.Shape[3];
        var result = new float[pos * d];
        for (long q = 0; q < pos; q++) Array.Copy(t.Floats, (q * heads + h) * d, result, q * d, d);
        return result;
    }

    static void AddAt(float[] data, long[] shape, int? head, float[] delta)
    {
        if (head is not { } h) { for (int i = 0; i < data.Length; i++) data[i] += delta[i]; return; }
        long pos = shape[1], heads = shape[2], d = shape[3];
        for (long q = 0; q < pos; q++)
            for (long k = 0; k < d; k++) data[(q * heads + h) * d + k] += delta[q * d + k];
    }
}
