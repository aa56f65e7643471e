using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Suite;

/// <summary>
/// What the measures of one suite run share: the options, the prompt pair, the model (loaded on first use, so a
/// measure that times loading or the process's memory can run before anything is loaded) and the results so far.
/// </summary>
public sealed class SuiteContext(SuiteOptions options)
{
    OnnxModel? original;
    HookedModel? hooked;
    OnnxModel? typed;

    public SuiteOptions Options { get; } = options;
    public Device Device => Options.Device;
    public IoiPairFile Pair { get; } = IoiPairFile.Load(options.Pair);
    public List<BenchResult> Results { get; } = [];

    /// <summary>The model file as exported (the plain forward's graph).</summary>
    public OnnxModel Original => original ??= OnnxModel.Load(Options.Model);

    /// <summary>The model with its recognised hook map.</summary>
    public HookedModel Hooked => hooked ??= HookedModel.From(Original);

    /// <summary>The hooked model with measured element types on every tensor (what write points need).</summary>
    public OnnxModel Typed => typed ??= TypeProbe.Fill(Hooked.Model, Device);

    public void Add(BenchResult result)
    {
        Results.Add(result);
        Console.WriteLine($"  {result.Measure,-22} {result.Variant,-24} batch {result.Batch,3} seq {result.Seq,3}  {result.Seconds,10:F4} s  ({result.Reps} reps)");
    }

    /// <summary>
    /// The hook map's own hooks whose tensors the graph computes (no derived hooks, which would add compute, and no
    /// graph inputs): what "every standard hook" means in the suite. One point per tensor.
    /// </summary>
    public static IReadOnlyList<HookPoint> StandardHooks(HookedModel model) =>
        [.. model.Map.Points.Where(p => !p.IsPending && model.Model.Graph.Producer(p.Tensor) is not null).DistinctBy(p => p.Tensor)];

    /// <summary>Bytes of a tensor's values.</summary>
    public static long Bytes(NamedTensor t) => t.Count * t.ElementType switch
    {
        ElementType.Double or ElementType.Int64 or ElementType.UInt64 => 8,
        ElementType.Float or ElementType.Int32 or ElementType.UInt32 => 4,
        ElementType.Float16 or ElementType.BFloat16 or ElementType.Int16 or ElementType.UInt16 => 2,
        _ => 1,
    };

    /// <summary>Bytes of the model file and its external-data files.</summary>
    public static long ModelBytes(string path)
    {
        var model = OnnxModel.Load(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return new FileInfo(path).Length + model.ExternalDataLocations().Distinct().Sum(l => new FileInfo(Path.Combine(folder, l)).Length);
    }
}
