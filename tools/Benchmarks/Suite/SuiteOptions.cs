using System.Globalization;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Suite;

/// <summary>
/// The suite's settings. Usage: Benchmarks suite --model M --pair tools/bench/ioi-pair.json --json OUT.json
/// [--device cpu|cuda] [--only id,id,...] [--reps 10] [--sweep-reps 3] [--loop-reps 1] [--batches 1,8,32] [--seq 16]
/// [--hook-batch 8] [--memory-batch 32] [--scrub-samples 16] [--scrub-model M --scrub-hypothesis H --scrub-dataset D]
/// [--past-model M] [--quick]. <c>--past-model</c> (default: the model's <c>-past</c> sibling when it exists) is the same
/// model with past key/value inputs, for the sweep variant that reuses earlier positions' keys and values.
/// <c>--only</c> takes measure ids or prefixes (forward, sweep.resid_pre, sweep, hooks, ...) or measure:variant (sweep.head_z:loop).
/// <c>--quick</c> runs every measure with the fewest repetitions, to check that the suite and the report work.
/// </summary>
public sealed record SuiteOptions(
    string Model, string Pair, string? Json, Device Device, IReadOnlyList<string>? Only,
    int Reps, int SweepReps, int LoopReps, IReadOnlyList<int> Batches, int Seq, int HookBatch, int MemoryBatch,
    string ScrubModel, string ScrubHypothesis, string ScrubDataset, int ScrubSamples, int ScrubReps, string? PastModel)
{
    public static SuiteOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool quick = false;
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--quick") { quick = true; continue; }
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
                throw new ArgumentException($"expected --option VALUE, got '{args[i]}'.");
            values[args[i][2..]] = args[++i];
        }
        string Text(string key, string fallback) => values.Remove(key, out var v) ? v : fallback;
        int Int(string key, int fallback) => values.Remove(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var options = new SuiteOptions(
            Text("model", "/tmp/bench/gpt2-small-random.onnx"),
            Text("pair", "tools/bench/ioi-pair.json"),
            values.Remove("json", out var json) ? json : null,
            Text("device", "cpu") switch
            {
                "cpu" => Device.Cpu,
                "cuda" => Device.Cuda,
                var d => throw new ArgumentException($"--device must be cpu or cuda, not '{d}' (the suite never falls back silently)."),
            },
            values.Remove("only", out var only) ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
            Int("reps", quick ? 2 : 10), Int("sweep-reps", quick ? 1 : 3), Int("loop-reps", 1),
            [.. Text("batches", "1,8,32").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))],
            Int("seq", 16), Int("hook-batch", 8), Int("memory-batch", 32),
            Text("scrub-model", "onnx-models/attn-only-2l.onnx"), Text("scrub-hypothesis", "docs/examples/induction.hypothesis.json"),
            Text("scrub-dataset", "docs/examples/repeats.jsonl"), Int("scrub-samples", 16), Int("scrub-reps", quick ? 1 : 3),
            values.Remove("past-model", out var past) ? past : null);
        if (options.PastModel is null && Path.ChangeExtension(options.Model, null) + "-past.onnx" is var sibling && File.Exists(sibling))
            options = options with { PastModel = sibling };
        if (values.Count > 0) throw new ArgumentException($"unknown option(s) {string.Join(", ", values.Keys.Select(k => "--" + k))}.");
        return options;
    }

    /// <summary>True when <c>--only</c> is absent or names this measure, a prefix of it, or this measure:variant.</summary>
    public bool Selected(string measure, string? variant = null) =>
        Only is null || Only.Any(o => o == measure || measure.StartsWith(o + ".", StringComparison.Ordinal)
                                      || variant is not null && o == $"{measure}:{variant}");

    /// <summary>True when any variant of the measure is selected.</summary>
    public bool AnySelected(string measure) =>
        Only is null || Selected(measure) || Only.Any(o => o.StartsWith(measure + ":", StringComparison.Ordinal));
}
