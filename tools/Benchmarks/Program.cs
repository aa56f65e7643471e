using System.Diagnostics;
using OnnxInterp.Graph;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

// Measures what instrumentation costs on one model, all variants in one process run so the ratios
// compare like with like on a shared, noisy machine. Usage: Benchmarks MODEL [--batch B] [--seq S] [--reps R]
// (or Benchmarks engine MODEL [--pairs N] [--rows-per-run R]: the engine's patching sweep, see EngineBenchmark;
// Benchmarks scrub MODEL HYPOTHESIS DATASET [--samples N]: causal scrubbing batched vs node by node;
// Benchmarks generate MODEL [--prompt P] [--tokens N] [--reps R]: generation with and without past, see GenerateBenchmark;
// Benchmarks acdc MODEL [--pairs N] [--tests T] [--threshold X] [--full]: ACDC's pieces or a whole run, see AcdcBenchmark;
// Benchmarks suite ...: every measure of issue #15 into one JSON result file, see Suite/SuiteOptions;
// Benchmarks report FILE.json... [-o BENCHMARKS.md]: the tables joining every tool's result files, see Report/ReportCommand).
var argsList = args.ToList();
if (argsList.FirstOrDefault() is "suite" or "report")
{
    try
    {
        return argsList[0] == "suite"
            ? OnnxInterp.Benchmarks.Suite.SuiteCommand.Run(argsList.Skip(1).ToList())
            : OnnxInterp.Benchmarks.Report.ReportCommand.Run(argsList.Skip(1).ToList());
    }
    catch (Exception e) when (e is ArgumentException or FormatException or IOException or System.Text.Json.JsonException)
    {
        Console.Error.WriteLine($"{argsList[0]}: {e.Message}");
        return 2;
    }
}
if (argsList.FirstOrDefault() == "acdc")
{
    int Get(string name, int fallback) => argsList.IndexOf(name) is var k and >= 0 ? int.Parse(argsList[k + 1]) : fallback;
    double threshold = argsList.IndexOf("--threshold") is var t and >= 0 ? double.Parse(argsList[t + 1], System.Globalization.CultureInfo.InvariantCulture) : 0;
    OnnxInterp.Benchmarks.AcdcBenchmark.Run(argsList.Skip(1).First(a => !a.StartsWith("--")), Get("--pairs", 1), Get("--tests", 5), threshold, argsList.Contains("--full"));
    return 0;
}
if (argsList.FirstOrDefault() == "generate")
{
    int Get(string name, int fallback) => argsList.IndexOf(name) is var k and >= 0 ? int.Parse(argsList[k + 1]) : fallback;
    OnnxInterp.Benchmarks.GenerateBenchmark.Run(argsList.Skip(1).First(a => !a.StartsWith("--")), Get("--prompt", 16), Get("--tokens", 40), Get("--reps", 5));
    return 0;
}
if (argsList.FirstOrDefault() == "scrub")
{
    var positional = argsList.Skip(1).Where(a => !a.StartsWith("--")).ToList();
    int samples = argsList.IndexOf("--samples") is var k and >= 0 ? int.Parse(argsList[k + 1]) : 16;
    OnnxInterp.Benchmarks.ScrubBenchmark.Run(positional[0], positional[1], positional[2], samples);
    return 0;
}
if (argsList.FirstOrDefault() == "engine")
{
    int Get(string name, int fallback) => argsList.IndexOf(name) is var k and >= 0 ? int.Parse(argsList[k + 1]) : fallback;
    OnnxInterp.Benchmarks.EngineBenchmark.Run(argsList.Skip(1).First(a => !a.StartsWith("--")), Get("--pairs", 1), Get("--rows-per-run", 32));
    return 0;
}
string model = argsList.FirstOrDefault(a => !a.StartsWith("--")) ?? "onnx-models/tiny-gpt2.onnx";
int Option(string name, int fallback) => argsList.IndexOf(name) is var i and >= 0 ? int.Parse(argsList[i + 1]) : fallback;
int batch = Option("--batch", 8), seq = Option("--seq", 16), reps = Option("--reps", 20);

var original = OnnxModel.Load(model);
var typed = TypeProbe.Fill(original, Device.Cpu);
var feeds = DefaultFeeds.For(original.Graph, seq, new Dictionary<string, long> { ["batch"] = batch, ["batch_size"] = batch });
Console.WriteLine($"model {model}, batch {batch}, seq {seq}, {reps} timed runs after 3 warm-up runs, device cpu");

var intermediates = original.Graph.IntermediateTensors.ToList();
// Residual-stream-like tensors: outputs of Add nodes whose scope names a block, one patch point each.
var patchTargets = original.Graph.Nodes.Where(n => n.OpType == "Add" && (n.Name.Contains("/h.") || n.Name.Contains("/blocks."))).Select(n => n.Outputs[0]).ToList();
var patched = InsertPatchPoints.Apply(typed, patchTargets.Select(t => new PatchRequest(t, PatchSource.Rows)));
var inactive = patched.PatchPoints.SelectMany(p => new[]
{
    DefaultFeeds.Filled(p.MaskInput, ElementType.Bool, [1], 0),
    NamedTensor.Int64(p.RowsInput!, [batch], [.. Enumerable.Range(0, batch).Select(i => (long)i)]),
}).ToList();

double plain = Time("plain graph", original, feeds);
double exposed = Time($"all {intermediates.Count} intermediates exposed", Expose.Apply(original, intermediates).Model, feeds);
double withPatches = Time($"{patched.PatchPoints.Count} inactive row patch points", patched.Model, [.. feeds, .. inactive]);
Console.WriteLine($"ratios to plain: exposed {exposed / plain:F3}, inactive patch points {withPatches / plain:F3}");
return 0;

double Time(string label, OnnxModel m, IReadOnlyList<NamedTensor> feed)
{
    using var session = SessionFactory.Compile(m, Device.Cpu);
    for (int i = 0; i < 3; i++) session.Run(feed);
    var times = new List<double>();
    for (int i = 0; i < reps; i++)
    {
        var sw = Stopwatch.StartNew();
        session.Run(feed);
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    double median = times[times.Count / 2];
    Console.WriteLine($"{label,-45} median {median,8:F2} ms  (min {times[0]:F2}, max {times[^1]:F2})");
    return median;
}
