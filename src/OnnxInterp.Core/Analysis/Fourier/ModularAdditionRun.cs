using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Fourier;

/// <summary>
/// The modular-addition model run on every input "a b =" (a, b in 0..p-1): the MLP neurons after the activation
/// (<c>blocks.{last}.mlp.hook_post</c>) and the logits, both at the '=' position, row (a * p + b). The one place the
/// Fourier analyses run the model (through <see cref="HookCapture"/>).
/// </summary>
public sealed record ModularAdditionRun(int P, int DMlp, float[] Neurons, int Vocab, float[] Logits)
{
    const int BatchRows = 2048;

    /// <param name="equalsToken">The '=' token (default p, the modular-addition model's last token).</param>
    public static ModularAdditionRun Of(HookedModel model, int p, int? equalsToken = null, Device device = Device.Auto, Action<string>? log = null)
    {
        var c = model.Map.Config;
        if (c.DMlp == 0) throw new HookMapException("the neurons' spectrum needs an MLP; the hook map records none (d_mlp 0).");
        int equals = equalsToken ?? p;
        if (p < 2 || equals >= c.DVocab || p > c.DVocab)
            throw new ArgumentOutOfRangeException(nameof(p), $"p = {p} and '=' token {equals} must lie inside the vocabulary of {c.DVocab}.");
        var neuronsHook = $"blocks.{c.NLayers - 1}.mlp.hook_post";
        using var capture = new HookCapture(model, [neuronsHook, "logits"], device, log);
        var neurons = new float[p * p * c.DMlp];
        var logits = new float[p * p * c.DVocab];
        for (int start = 0; start < p * p; start += BatchRows)
        {
            int count = Math.Min(BatchRows, p * p - start);
            var rows = Enumerable.Range(start, count).Select(i => (IReadOnlyList<int>)[i / p, i % p, equals]).ToList();
            var result = capture.Run(rows);
            CopyLastPosition(result[neuronsHook], neurons, start, count, c.DMlp);
            CopyLastPosition(result["logits"], logits, start, count, c.DVocab);
        }
        return new ModularAdditionRun(p, c.DMlp, neurons, c.DVocab, logits);
    }

    /// <summary>[batch, pos, width] (pos may be 1 where only the last position is computed) -> rows start.. of the target.</summary>
    static void CopyLastPosition(NamedTensor t, float[] target, int start, int count, int width)
    {
        var values = t.ToFloats();
        if (t.Shape.Length != 3 || t.Shape[0] != count || t.Shape[2] != width)
            throw new InvalidOperationException($"'{t.Name}' has shape [{string.Join(", ", t.Shape)}]; [{count}, pos, {width}] was expected.");
        long positions = t.Shape[1];
        for (int r = 0; r < count; r++)
            Array.Copy(values, (r * positions + positions - 1) * width, target, (long)(start + r) * width, width);
    }
}
