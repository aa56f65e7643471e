using OnnxInterp.Hooks;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Benchmarks.Suite;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// "sweep.resid_pre" and "sweep.head_z", shared with the baselines: an activation-patching sweep of the IOI pair
/// (clean into corrupted, logit difference) through <see cref="ActivationPatching.Run"/>, once per
/// <see cref="SweepVariant"/>. Each variant gets a fresh session cache: its first plan pays what `onnxinterp patch` pays
/// after loading (type probe, rewrite, session creation) and is reported as extra.firstSeconds; the result's seconds
/// is the median of warm repeats on the compiled session. extra.logitDiffs holds the raw values, layer-major.
/// </summary>
public sealed class SweepMeasure(string id, SweepSpec spec) : ISuiteMeasure
{
    public static SweepMeasure ResidPre { get; } = new("sweep.resid_pre", Sweeps.ResidPre);
    public static SweepMeasure HeadZ { get; } = new("sweep.head_z", Sweeps.Heads("z"));

    public string Id => id;

    public void Run(SuiteContext context)
    {
        var request = new PatchingRequest([context.Pair.Prompt], [spec], MetricKind.LogitDiff);
        foreach (var variant in SweepVariant.All.Where(v => context.Options.Selected(Id, v.Name)))
        {
            // A fresh load per variant: the engine remembers what it measured about a model (its type probe, staged
            // graphs), so a shared model would hand later variants a warm start and flatter their first plan.
            var path = variant.OnPastModel ? context.Options.PastModel : context.Options.Model;
            if (path is null) continue;
            var model = HookedModel.Load(path);
            using var sessions = new SessionCache(context.Device);
            var options = variant.Options(context.Device, sessions);
            var (first, result) = Timing.Once(() => ActivationPatching.Run(model, request, options));
            int reps = variant.Reps(context.Options);
            var warm = new List<double>();
            for (int r = 0; r < reps; r++) warm.Add(Timing.Seconds(() => ActivationPatching.Run(model, request, options)));
            var sweep = result[spec.Name];
            context.Add(new BenchResult(Id, variant.Name, options.RowsPerRun, context.Pair.Clean.Count, reps > 0 ? Timing.Median(warm) : first, reps,
                sweep.Raw.Length, new()
                {
                    ["firstSeconds"] = first,
                    ["warmSeconds"] = warm,
                    ["rowsPerRun"] = options.RowsPerRun,
                    ["runs"] = result.Runs,
                    ["batchRows"] = result.Rows,
                    ["sessions"] = sessions.Count,
                    ["axes"] = sweep.Axes.Select(a => $"{a.Name}:{a.Count}").ToArray(),
                    ["clean"] = result.Clean,
                    ["corrupted"] = result.Corrupted,
                    ["logitDiffs"] = sweep.Raw,
                }));
        }
    }
}
