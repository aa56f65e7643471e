using OnnxInterp.Analysis.Engine;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// One way of running an activation-patching sweep through the engine: its variant id in the results and the engine
/// options it runs with (given the device and the session cache the measure owns). A new engine mode is one more line in
/// <see cref="All"/>; <see cref="Reps"/> picks the suite's repetition count for it. <c>OnPastModel</c> variants run on the
/// model's past key/value sibling (skipped when there is none).
/// </summary>
public sealed record SweepVariant(string Name, Func<Device, SessionCache, InterventionOptions> Options, bool Long = false, bool OnPastModel = false)
{
    /// <summary>Timed warm repetitions: loop-like variants (a session run per variant) take --loop-reps, others --sweep-reps.</summary>
    public int Reps(Suite.SuiteOptions o) => Long ? o.LoopReps : o.SweepReps;

    public static IReadOnlyList<SweepVariant> All { get; } =
    [
        // One patched variant per session run, every row from the start. Each run also carries the clean row the variant
        // reads from (a row and its source share a run), so a run is 2 batch rows: about twice a hook loop's work per variant.
        new("loop", (device, sessions) => new InterventionOptions(RowsPerRun: 1, Device: device, Sessions: sessions, StartAtWrites: false), Long: true),
        // The engine's default packing with every row computed from the start: the full work, batched.
        new("batched-full", (device, sessions) => new InterventionOptions(Device: device, Sessions: sessions, StartAtWrites: false)),
        // What `onnxinterp patch` runs: default packing, and each patched row starts at the tensor it writes.
        new("batched", (device, sessions) => new InterventionOptions(Device: device, Sessions: sessions)),
        // The same on the model with past key/value inputs: each position's variants run from that position on, with the
        // corrupted run's earlier keys and values as past (and from the patched layer on).
        new("batched-past", (device, sessions) => new InterventionOptions(Device: device, Sessions: sessions), OnPastModel: true),
    ];
}
