using OnnxInterp.ModelForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxInterp.ModelForge.Measure;

/// <summary>A clean/corrupted prompt pair and the two tokens of the logit-difference metric (tools/bench/ioi-pair.json).</summary>
public sealed record PromptPair(int[] Clean, int[] Corrupted, int Answer, int Wrong);

/// <summary>Logit differences of a sweep: the clean and corrupted runs, then one per variant in sweep order.</summary>
public sealed record SweepValues(double Clean, double Corrupted, double[] LogitDiffs);

/// <summary>
/// Activation patching done the way TransformerLens users do it, eagerly in TorchSharp: run the clean prompt and cache
/// the hook's values, then run the corrupted prompt with a <see cref="ForwardHooks"/> callback that overwrites the
/// patched slice. "loop" runs one forward per variant; "batched" stacks variants as rows of one forward, each row
/// patching its own sites (a per-layer row mask and <c>torch.where</c>). The metric is
/// logits[last, answer] - logits[last, wrong]; logits are computed at every position, as a hooked forward does.
/// Callers hold <c>torch.no_grad()</c>.
/// </summary>
public static class EagerPatching
{
    /// <summary>blocks.{l}.hook_resid_pre at one position: layers x positions variants, layer-major.</summary>
    public static SweepValues ResidPreSweep(TransformerWeights w, PromptPair pair, int? rowsPerRun)
    {
        int seq = pair.Clean.Length;
        var variants = Grid(w.Config.Layers, seq);
        return Sweep(w, pair, rowsPerRun, variants, cache => new ForwardHooks { ResidPre = Reader(cache) },
            (cache, rows) => new ForwardHooks { ResidPre = ResidPreWriter(cache, rows, seq) });
    }

    /// <summary>blocks.{l}.attn.hook_z of one head at every position: layers x heads variants, layer-major.</summary>
    public static SweepValues HeadZSweep(TransformerWeights w, PromptPair pair, int? rowsPerRun)
    {
        var variants = Grid(w.Config.Layers, w.Config.Heads);
        return Sweep(w, pair, rowsPerRun, variants, cache => new ForwardHooks { Z = Reader(cache) },
            (cache, rows) => new ForwardHooks { Z = ZWriter(cache, rows, w.Config.Heads) });
    }

    /// <summary>
    /// Overwrites blocks.{l}.hook_resid_pre of row r at each (layer, position) of <paramref name="rows"/>[r] with
    /// <paramref name="clean"/>[layer] ([1, pos, d_model]) at that position; other rows and sites pass through.
    /// </summary>
    public static ForwardHooks ResidPrePatch(IReadOnlyList<Tensor> clean, IReadOnlyList<IReadOnlyList<(int Layer, int Site)>> rows, int seq) =>
        new() { ResidPre = ResidPreWriter(clean, rows, seq) };

    /// <summary>Logit difference at the last position of each row of <paramref name="tokens"/> ([rows, seq]).</summary>
    public static double[] LogitDiffs(TransformerWeights w, Tensor tokens, int answer, int wrong, ForwardHooks? hooks = null)
    {
        using var scope = torch.NewDisposeScope();
        var last = TransformerForward.Logits(w, tokens, hooks: hooks).select(1, tokens.shape[1] - 1);
        var diff = (last.select(1, answer) - last.select(1, wrong)).contiguous();
        return diff.data<float>().ToArray().Select(v => (double)v).ToArray();
    }

    public static Tensor Ids(IReadOnlyList<int[]> rows) =>
        torch.tensor(rows.SelectMany(r => r.Select(t => (long)t)).ToArray(), [rows.Count, rows[0].Length]);

    static SweepValues Sweep(TransformerWeights w, PromptPair pair, int? rowsPerRun, (int Layer, int Site)[] variants,
        Func<List<Tensor>, ForwardHooks> read, Func<IReadOnlyList<Tensor>, IReadOnlyList<IReadOnlyList<(int, int)>>, ForwardHooks> write)
    {
        using var scope = torch.NewDisposeScope();
        var cache = new List<Tensor>();
        double clean, corrupted;
        if (rowsPerRun is null)
        {
            clean = LogitDiffs(w, Ids([pair.Clean]), pair.Answer, pair.Wrong, read(cache))[0];
            corrupted = LogitDiffs(w, Ids([pair.Corrupted]), pair.Answer, pair.Wrong)[0];
        }
        else
        {
            // Clean and corrupted as two rows of one forward; the cache keeps the clean row.
            var both = LogitDiffs(w, Ids([pair.Clean, pair.Corrupted]), pair.Answer, pair.Wrong, read(cache));
            (clean, corrupted) = (both[0], both[1]);
        }
        var diffs = new List<double>(variants.Length);
        foreach (var chunk in variants.Chunk(rowsPerRun ?? 1))
        {
            using var chunkScope = torch.NewDisposeScope();
            var rows = chunk.Select(v => (IReadOnlyList<(int, int)>)[v]).ToList();
            var tokens = Ids([pair.Corrupted]).expand(chunk.Length, -1);
            diffs.AddRange(LogitDiffs(w, tokens, pair.Answer, pair.Wrong, write(cache, rows)));
        }
        return new SweepValues(clean, corrupted, [.. diffs]);
    }

    static (int Layer, int Site)[] Grid(int layers, int sites) =>
        [.. Enumerable.Range(0, layers).SelectMany(l => Enumerable.Range(0, sites).Select(s => (l, s)))];

    /// <summary>Keeps row 0 (the clean prompt) of each layer's activation, alive beyond the forward's dispose scope.</summary>
    static Func<int, Tensor, Tensor> Reader(List<Tensor> cache) => (layer, x) =>
    {
        if (cache.Count != layer) throw new InvalidOperationException($"hook called for layer {layer} after {cache.Count} layers");
        cache.Add(x.narrow(0, 0, 1).MoveToOuterDisposeScope());
        return x;
    };

    static Func<int, Tensor, Tensor> ResidPreWriter(IReadOnlyList<Tensor> clean, IReadOnlyList<IReadOnlyList<(int Layer, int Site)>> rows, int seq)
    {
        // mask [rows, pos, 1] per layer: true where that row patches that position at that layer.
        var masks = Masks(clean.Count, rows, seq, (row, site) => row * seq + site, [rows.Count, seq, 1]);
        return (layer, x) => masks[layer] is { } mask ? torch.where(mask, clean[layer], x) : x;
    }

    static Func<int, Tensor, Tensor> ZWriter(IReadOnlyList<Tensor> clean, IReadOnlyList<IReadOnlyList<(int Layer, int Site)>> rows, int heads)
    {
        // mask [rows, 1, head, 1] per layer: true where that row patches that head (at every position) at that layer.
        var masks = Masks(clean.Count, rows, heads, (row, head) => row * heads + head, [rows.Count, 1, heads, 1]);
        return (layer, z) => masks[layer] is { } mask ? torch.where(mask, clean[layer], z) : z;
    }

    /// <summary>One bool mask per layer (null for a layer no row patches).</summary>
    static Tensor?[] Masks(int layers, IReadOnlyList<IReadOnlyList<(int Layer, int Site)>> rows, int sites, Func<int, int, int> index, long[] shape)
    {
        var masks = new Tensor?[layers];
        for (int layer = 0; layer < layers; layer++)
        {
            var values = new bool[rows.Count * sites];
            bool any = false;
            for (int r = 0; r < rows.Count; r++)
                foreach (var (l, site) in rows[r])
                    if (l == layer) { values[index(r, site)] = true; any = true; }
            if (any) masks[layer] = torch.tensor(values, shape);
        }
        return masks;
    }
}
