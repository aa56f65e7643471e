using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using OnnxInterp.ModelForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxInterp.ModelForge.Measure;

/// <summary>Options of <c>ModelForge bench-eager</c>.</summary>
public sealed record EagerBenchmarkOptions(string Model, string Pair, int Threads, int Reps, int SweepReps, int RowsPerRun,
    int Warmup, string? Json, IReadOnlySet<string>? Only, string? Check)
{
    public const string DefaultModel = "/tmp/bench/gpt2-small-random.onnx";
    public const string DefaultPair = "tools/bench/ioi-pair.json";

    public static EagerBenchmarkOptions Parse(IReadOnlyDictionary<string, string> o)
    {
        int Int(string key, int fallback) => o.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var only = o.TryGetValue("only", out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet()
            : null;
        return new(o.GetValueOrDefault("model", DefaultModel), o.GetValueOrDefault("pair", DefaultPair), Int("threads", 2), Int("reps", 10),
            Int("sweep-reps", 3), Int("rows-per-run", 32), Int("warmup", 3), o.GetValueOrDefault("json"), only,
            o.GetValueOrDefault("check"));
    }

    /// <summary>--only takes measure ids (forward, sweep.resid_pre, sweep.head_z) or measure:variant (sweep.head_z:loop).</summary>
    public bool Selected(string measure, string variant) =>
        Only is null || Only.Contains(measure) || Only.Contains($"{measure}:{variant}");
}

/// <summary>One timed measurement in the shared benchmark result format (tools/bench/README.md).</summary>
public sealed record BenchResult(string Measure, string Variant, int Batch, int Seq, double Seconds, int Reps, int? Variants,
    Dictionary<string, object> Extra);

public sealed record BenchReport(string Tool, Dictionary<string, string> Versions, string Device, int Threads, string Model,
    List<BenchResult> Results);

/// <summary>
/// Baseline (b) of issue #15: TorchSharp (libtorch) eager on the ONNX model's own GPT-2 weights, patching done eagerly
/// through <see cref="ForwardHooks"/>. Times a plain forward at batch 1, 8 and 32 (seq 16) and the resid_pre and
/// per-head z activation-patching sweeps of the IOI pair, one forward per variant ("loop") and variants as batch rows
/// ("batched"); medians of the timed repetitions after warm-up.
/// </summary>
public static class EagerBenchmark
{
    const int ForwardSeq = 16;
    static readonly int[] ForwardBatches = [1, 8, 32];

    public static int Run(EagerBenchmarkOptions options)
    {
        torch.set_num_threads(options.Threads);
        var pair = LoadPair(options.Pair);
        Console.WriteLine($"bench-eager: TorchSharp {TorchSharpVersion()}, libtorch {torch.__version__}, cpu, {torch.get_num_threads()} threads");
        var clock = Stopwatch.StartNew();
        using var weights = LoadWeights(options.Model);
        Console.WriteLine($"loaded {options.Model} ({weights.Config.Layers} layers, {weights.Config.Heads} heads, d_model {weights.Config.DModel}) in {clock.Elapsed.TotalSeconds:F1} s");
        using var _ = torch.no_grad();

        var results = new List<BenchResult>();
        void Add(BenchResult r)
        {
            results.Add(r);
            Console.WriteLine(Row(r));
        }
        Console.WriteLine(Header);

        if (options.Selected("forward", "plain"))
            foreach (var batch in ForwardBatches) Add(Forward(weights, pair, batch, options));
        foreach (var (measure, sweep) in new (string, Func<TransformerWeights, PromptPair, int?, SweepValues>)[]
                 { ("sweep.resid_pre", EagerPatching.ResidPreSweep), ("sweep.head_z", EagerPatching.HeadZSweep) })
            foreach (var rows in new int?[] { null, options.RowsPerRun })
                if (options.Selected(measure, rows is null ? "loop" : "batched"))
                    Add(Sweep(weights, pair, measure, sweep, rows, options));

        if (options.Json is { } path)
        {
            var report = new BenchReport("torchsharp-eager",
                new() { ["torchsharp"] = TorchSharpVersion(), ["libtorch"] = torch.__version__ },
                "cpu", options.Threads, options.Model, results);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(report, JsonOptions));
            Console.WriteLine($"wrote {path}");
        }
        return 0;
    }

    /// <summary>The GPT-2 config from the model's metadata and every weight from its initializers (not from a seed).</summary>
    public static TransformerWeights LoadWeights(string modelPath)
    {
        var metadata = OnnxInterp.Onnx.ModelIO.Load(modelPath).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        var weights = TransformerWeights.Initialize(TransformerConfig.Gpt2FromMetadata(metadata), 0);
        weights.LoadFrom(modelPath);
        return weights;
    }

    public static PromptPair LoadPair(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"prompt pair file {path} not found (run from the repository root or pass --pair)");
        var pair = JsonSerializer.Deserialize<PromptPair>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new ArgumentException($"{path} holds no prompt pair");
        if (pair.Clean.Length != pair.Corrupted.Length)
            throw new ArgumentException($"{path}: clean has {pair.Clean.Length} tokens, corrupted {pair.Corrupted.Length}");
        return pair;
    }

    static BenchResult Forward(TransformerWeights w, PromptPair pair, int batch, EagerBenchmarkOptions options)
    {
        // The clean prompt padded (repeating its last token) or truncated to 16 tokens, every row the same.
        var row = Enumerable.Range(0, ForwardSeq).Select(i => (long)pair.Clean[Math.Min(i, pair.Clean.Length - 1)]).ToArray();
        using var ids = torch.tensor(Enumerable.Repeat(row, batch).SelectMany(r => r).ToArray(), [batch, ForwardSeq]);
        var seconds = Time(options.Warmup, options.Reps, () =>
        {
            using var scope = torch.NewDisposeScope();
            TransformerForward.Logits(w, ids);
        });
        return new BenchResult("forward", "plain", batch, ForwardSeq, Median(seconds), seconds.Length, null,
            new() { ["secondsAll"] = seconds, ["warmup"] = options.Warmup });
    }

    static BenchResult Sweep(TransformerWeights w, PromptPair pair, string measure, Func<TransformerWeights, PromptPair, int?, SweepValues> sweep,
        int? rowsPerRun, EagerBenchmarkOptions options)
    {
        // Warm-up: one forward at each batch size the sweep runs (not a whole sweep).
        foreach (var batch in new[] { 1, 2, rowsPerRun ?? 1 }.Distinct())
        {
            using var scope = torch.NewDisposeScope();
            EagerPatching.LogitDiffs(w, EagerPatching.Ids(Enumerable.Repeat(pair.Corrupted, batch).ToList()), pair.Answer, pair.Wrong);
        }
        SweepValues? values = null;
        var seconds = Time(0, options.SweepReps, () => values = sweep(w, pair, rowsPerRun));
        var v = values!;
        int n = v.LogitDiffs.Length;
        var extra = new Dictionary<string, object>
        {
            ["clean"] = v.Clean,
            ["corrupted"] = v.Corrupted,
            ["logitDiffs"] = v.LogitDiffs,
            ["layers"] = w.Config.Layers,
            ["forwards"] = rowsPerRun is { } r ? 1 + (n + r - 1) / r : 2 + n,
            ["secondsAll"] = seconds,
            ["logitsAt"] = "every position (full [batch, seq, vocab] logits, as a hooked forward computes them)",
        };
        if (rowsPerRun is not null) extra["rowsPerRun"] = rowsPerRun;
        if (options.Check is { } folder)
        {
            var check = Check(folder, measure, pair, v);
            extra["maxAbsDiffVsOnnxinterp"] = check;
            Console.WriteLine($"  {measure} {(rowsPerRun is null ? "loop" : "batched")}: max |logit diff - onnxinterp's| = {check:G3} (clean, corrupted and {n} variants)");
        }
        return new BenchResult(measure, rowsPerRun is null ? "loop" : "batched", rowsPerRun ?? 1, pair.Corrupted.Length,
            Median(seconds), seconds.Length, n, extra);
    }

    /// <summary>
    /// Largest difference from the raw values of <c>onnxinterp patch MODEL --ioi 1 --sweep resid_pre --sweep z -o FOLDER</c>
    /// (FOLDER/resid_pre.json, z.json: raw [layer][pos|head]; patch.json: clean, corrupted and the prompt pair).
    /// </summary>
    static double Check(string folder, string measure, PromptPair pair, SweepValues values)
    {
        using var patch = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "patch.json")));
        var theirs = patch.RootElement.GetProperty("promptPairs")[0];
        int[] Ids(string key) => [.. theirs.GetProperty(key).EnumerateArray().Select(e => e.GetInt32())];
        if (!Ids("clean").SequenceEqual(pair.Clean) || !Ids("corrupted").SequenceEqual(pair.Corrupted)
            || theirs.GetProperty("answer").GetInt32() != pair.Answer || theirs.GetProperty("wrong").GetInt32() != pair.Wrong)
            throw new ArgumentException($"{folder}/patch.json patched another prompt pair than the --pair file");
        var file = Path.Combine(folder, measure == "sweep.resid_pre" ? "resid_pre.json" : "z.json");
        using var sweep = JsonDocument.Parse(File.ReadAllText(file));
        var raw = sweep.RootElement.GetProperty("raw").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(e => e.GetDouble())).ToArray();
        if (raw.Length != values.LogitDiffs.Length)
            throw new ArgumentException($"{file} has {raw.Length} values, the eager sweep {values.LogitDiffs.Length}");
        double worst = Math.Max(Math.Abs(patch.RootElement.GetProperty("clean").GetDouble() - values.Clean),
            Math.Abs(patch.RootElement.GetProperty("corrupted").GetDouble() - values.Corrupted));
        for (int i = 0; i < raw.Length; i++) worst = Math.Max(worst, Math.Abs(raw[i] - values.LogitDiffs[i]));
        return worst;
    }

    static double[] Time(int warmup, int reps, Action action)
    {
        for (int i = 0; i < warmup; i++) action();
        var seconds = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }
        return seconds;
    }

    static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    static string TorchSharpVersion()
    {
        var version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        return version.Split('+')[0];
    }

    const string Header = "measure           variant   batch  seq  variants   median s   reps";

    static string Row(BenchResult r) =>
        $"{r.Measure,-17} {r.Variant,-8} {r.Batch,6} {r.Seq,4} {(r.Variants?.ToString() ?? "-"),9} {r.Seconds,10:F4} {r.Reps,6}";

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
