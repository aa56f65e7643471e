using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis;

/// <summary>
/// Reads chosen hooks from batches of token rows: a read-only engine plan per <see cref="Run"/>, all of whose runs share
/// one compiled rewrite (the hooks derived if needed and exposed), each batch one session run. Rows of different lengths
/// are right-padded with <see cref="PadToken"/> to the longest; in a causal model a position never sees later ones, so
/// each row's values at its own positions are exactly those of running it alone (values at padded positions are
/// meaningless). Owns its engine.
/// </summary>
public sealed class HookCapture : IDisposable
{
    readonly InterventionEngine engine;

    /// <param name="hooks">Hook names or globs; pending derived hooks (e.g. <c>attn.hook_result</c>) are derived first.</param>
    public HookCapture(HookedModel model, IEnumerable<string> hooks, Device device = Device.Auto, Action<string>? log = null, int padToken = 0)
    {
        var (ready, points) = model.Prepare(hooks);
        Points = points;
        Map = ready.Map;
        PadToken = padToken;
        Causal = Map.Config.Causal;
        engine = new InterventionEngine(ready, new InterventionOptions(int.MaxValue, device, Log: log));
    }

    /// <summary>The captured hooks, in forward order, with the tensors and layouts they were read from.</summary>
    public IReadOnlyList<HookPoint> Points { get; }
    /// <summary>The hook map of the compiled model (derived hooks resolved).</summary>
    public HookMap Map { get; }
    public int PadToken { get; }
    public bool Causal { get; }
    /// <summary>The device the session runs on (CPU after a fallback); the requested one before the first run.</summary>
    public Device Device => engine.Device;

    /// <summary>
    /// Runs the rows as one batch and returns every captured hook by hook name, shaped as its layout says with
    /// batch = rows.Count and pos = the longest row. Fails if rows differ in length and the model is not causal.
    /// </summary>
    public IReadOnlyDictionary<string, NamedTensor> Run(IReadOnlyList<IReadOnlyList<int>> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows to run.", nameof(rows));
        int length = rows.Max(r => r.Count);
        if (!Causal && rows.Any(r => r.Count != length))
            throw new ArgumentException("rows of different lengths can only share a batch in a causal model; run them one at a time.", nameof(rows));
        var padded = rows.Select(r => new PlanRow([.. r.Select(t => (long)t), .. Enumerable.Repeat((long)PadToken, length - r.Count)])).ToList();
        var result = engine.Run(new InterventionPlan(padded, [.. Points.Select(p => p.Name.Value)], LogitReads.None));
        return Points.ToDictionary(p => p.Name.Value, p => result.Stacked(p.Name), StringComparer.Ordinal);
    }

    public void Dispose() => engine.Dispose();
}
