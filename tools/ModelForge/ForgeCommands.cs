using OnnxInterp.Analysis.Datasets;
using OnnxInterp.ModelForge.Export;
using OnnxInterp.ModelForge.Measure;
using OnnxInterp.ModelForge.Models;
using OnnxInterp.ModelForge.Training;

namespace OnnxInterp.ModelForge;

/// <summary>The forge's command line: train, export-random-gpt2, measure, bench-eager.</summary>
public static class ForgeCommands
{
    const string Usage = """
        usage:
          ModelForge train attn-only-2l|attn-only-1l|modadd-p113|tiny-gpt2|all --out DIR [--steps N] [--seed S] [--lr RATE] [--init-std STD] [--stand-in-names true|false] [--resume MODEL.onnx] [--threads T]
          ModelForge export-gpt2-variants MODEL.onnx --out DIR [--name tiny-gpt2]   (every GPT-2 variant from the weights of an existing plain export)
          ModelForge export-generation MODEL-past.onnx --out DIR [--name tiny-gpt2]   (ORT BeamSearch and GreedySearch models around a past export)
          ModelForge export-random-gpt2 --out DIR [--layers 12] [--heads 12] [--d-model 768] [--n-ctx 1024] [--seed 0] [--name gpt2-small-random]
          ModelForge measure DIR
          ModelForge smoke MODEL.onnx        (one forward pass on a short GPT-2-tokenized prompt)
          ModelForge bench-eager [--model MODEL.onnx] [--pair tools/bench/ioi-pair.json] [--threads 2] [--reps 10] [--sweep-reps 3] [--rows-per-run 32] [--warmup 3] [--json FILE] [--only forward,sweep.resid_pre,sweep.head_z:loop,...] [--check ONNXINTERP_PATCH_DIR]
                                             (TorchSharp eager baseline: forward and activation-patching sweeps on the ONNX model's weights)
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0) return Fail("no command given");
        try
        {
            var options = ParseOptions(args.Skip(1).ToArray(), out var positional);
            switch (args[0])
            {
                case "train" when positional.Count == 1:
                    return Train(positional[0], Required(options, "out"), options);
                case "export-gpt2-variants" when positional.Count == 1:
                    return ExportGpt2Variants(positional[0], Required(options, "out"), options.GetValueOrDefault("name", TinyGpt2Trainer.Name));
                case "export-generation" when positional.Count == 1:
                    return ExportGeneration(positional[0], Required(options, "out"), options.GetValueOrDefault("name", TinyGpt2Trainer.Name));
                case "export-random-gpt2":
                    return ExportRandomGpt2(Required(options, "out"), options);
                case "measure" when positional.Count == 1:
                    return MeasureAll(positional[0]);
                case "smoke" when positional.Count == 1:
                    return Smoke(positional[0]);
                case "bench-eager" when positional.Count == 0:
                    return EagerBenchmark.Run(EagerBenchmarkOptions.Parse(options));
                default:
                    return Fail($"unknown command or arguments: {string.Join(' ', args)}");
            }
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
    }

    static int Train(string which, string outFolder, Dictionary<string, string> options)
    {
        Directory.CreateDirectory(outFolder);
        // One thread per process when several trainings share few cores: OpenMP threads that spin-wait for a
        // descheduled partner made steps 10x slower on a busy 2-core machine.
        if (options.TryGetValue("threads", out var threads)) TorchSharp.torch.set_num_threads(int.Parse(threads));
        long seed = long.Parse(options.GetValueOrDefault("seed", "0"));
        int? steps = options.TryGetValue("steps", out var s) ? int.Parse(s) : null;
        double? initStd = options.TryGetValue("init-std", out var std) ? double.Parse(std, System.Globalization.CultureInfo.InvariantCulture) : null;
        double lr = double.Parse(options.GetValueOrDefault("lr", "1e-3"), System.Globalization.CultureInfo.InvariantCulture);
        var names = which == "all" ? new[] { "attn-only-2l", "attn-only-1l", "modadd-p113", "tiny-gpt2" } : [which];
        foreach (var name in names)
        {
            TrainingSummary summary = name switch
            {
                "attn-only-2l" => AttnOnlyTrainer.Train(2, outFolder, steps ?? AttnOnlyTrainer.DefaultSteps, seed, lr: lr, initStd: initStd),
                "attn-only-1l" => AttnOnlyTrainer.Train(1, outFolder, steps ?? AttnOnlyTrainer.DefaultSteps, seed, lr: lr, initStd: initStd),
                "modadd-p113" => ModAddTrainer.Train(outFolder, steps ?? 20000, seed),
                "tiny-gpt2" => TinyGpt2Trainer.Train(outFolder, steps ?? TinyGpt2Trainer.DefaultSteps, seed, lr: lr, initStd: initStd ?? TinyGpt2Trainer.DefaultInitStd,
                    standInNames: bool.Parse(options.GetValueOrDefault("stand-in-names", "true")),
                    resumeFrom: options.GetValueOrDefault("resume")),
                _ => throw new ArgumentException($"unknown model '{name}'"),
            };
            Console.WriteLine(summary);
        }
        return 0;
    }

    /// <summary>
    /// Writes every GPT-2 variant from the weights of an existing export without training, keeping the export's own
    /// metadata (a new variant for shipped weights; the existing files come out byte-identical).
    /// </summary>
    static int ExportGpt2Variants(string from, string outFolder, string name)
    {
        var source = OnnxInterp.Onnx.ModelIO.Load(from).MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        using var weights = TransformerWeights.Initialize(TransformerConfig.Gpt2FromMetadata(source), 0);
        weights.LoadFrom(from);
        var configKeys = weights.Config.Metadata().Select(p => p.Key).ToHashSet();
        var metadata = source.Where(p => !configKeys.Contains(p.Key)).ToList();
        foreach (var path in ModelExporter.WriteGpt2Variants(weights, outFolder, name, metadata)) Console.WriteLine($"wrote {path}");
        return 0;
    }

    /// <summary>
    /// Writes <c>{name}-beam-search.onnx</c> and <c>{name}-greedy-search.onnx</c>: ONNX Runtime's generation ops around the
    /// decoder of an optimum-layout past export (<see cref="GenerationSearchWriter"/>), reading the export's external weights.
    /// </summary>
    static int ExportGeneration(string from, string outFolder, string name)
    {
        var past = OnnxInterp.Onnx.ModelIO.Load(from);
        var config = TransformerConfig.Gpt2FromMetadata(past.MetadataProps.ToDictionary(p => p.Key, p => p.Value));
        long eos = config.Vocab - 1; // GPT-2's <|endoftext|>
        var sourceFolder = Path.GetDirectoryName(Path.GetFullPath(from));
        Directory.CreateDirectory(outFolder);
        foreach (var (suffix, model) in new[]
        {
            (GenerationSearchWriter.BeamSearchSuffix, GenerationSearchWriter.BeamSearch(past, eos, config.Heads, config.DHead)),
            (GenerationSearchWriter.GreedySearchSuffix, GenerationSearchWriter.GreedySearch(past, eos, config.Heads, config.DHead)),
        })
        {
            var path = Path.Combine(outFolder, name + suffix + ".onnx");
            OnnxInterp.Onnx.ModelIO.Save(model, path, sourceFolder);
            Console.WriteLine($"wrote {path} ({Size(path)})");
        }
        return 0;
    }

    /// <summary>GPT-2-small-shaped random model in the tiny-gpt2 layout, for benchmarks (~500 MB external data).</summary>
    static int ExportRandomGpt2(string outFolder, Dictionary<string, string> options)
    {
        int Int(string key, int fallback) => options.TryGetValue(key, out var v) ? int.Parse(v) : fallback;
        int layers = Int("layers", 12), heads = Int("heads", 12), dModel = Int("d-model", 768);
        var config = new TransformerConfig(Architecture.Gpt2, layers, heads, dModel, dModel / heads, 4 * dModel, Int("n-ctx", 1024), 50257);
        var name = options.GetValueOrDefault("name", "gpt2-small-random");
        using var weights = TransformerWeights.Initialize(config, Int("seed", 0));
        var paths = ModelExporter.WriteGpt2Variants(weights, outFolder, name, [new("onnxinterp.random_weights", "true")]);
        foreach (var path in paths) Console.WriteLine($"wrote {path}");
        Console.WriteLine($"wrote {Path.Combine(outFolder, name + ".weights")} ({new FileInfo(Path.Combine(outFolder, name + ".weights")).Length / 1e6:F0} MB)");
        return 0;
    }

    /// <summary>Re-measures every shipped model in <paramref name="folder"/> with ONNX Runtime.</summary>
    static int MeasureAll(string folder)
    {
        foreach (var layers in new[] { 2, 1 })
        {
            var path = Path.Combine(folder, $"attn-only-{layers}l.onnx");
            if (!File.Exists(path)) continue;
            var config = TransformerConfig.AttnOnly(layers);
            var (first, second) = ModelMetrics.InductionLosses(path, config.NCtx, config.Vocab);
            Console.WriteLine($"attn-only-{layers}l: repeated-segment loss first {first:F3}, second {second:F3}, ratio {second / first:F3} ({Size(path)})");
        }
        var modadd = Path.Combine(folder, "modadd-p113.onnx");
        if (File.Exists(modadd))
        {
            var (train, test) = ModelMetrics.ModAddAccuracy(modadd, new ModularAddition());
            Console.WriteLine($"modadd-p113: train acc {train:P2}, test acc {test:P2} ({Size(modadd)})");
        }
        var gpt2 = Path.Combine(folder, TinyGpt2Trainer.Name + ".onnx");
        if (File.Exists(gpt2))
        {
            var dataset = new IoiDataset(IoiDataset.Gpt2Tokenizer());
            foreach (var split in new[] { IoiSplit.HeldOut, IoiSplit.Train })
            {
                var score = ModelMetrics.Ioi(gpt2, dataset, split);
                Console.WriteLine($"tiny-gpt2 IOI {split}: top-1 {score.Top1Accuracy:P1}, IO>S {score.IoOverSAccuracy:P1}, mean logit diff {score.MeanLogitDiff:F2} (n={score.Count})");
                foreach (var order in new[] { IoiOrder.Abba, IoiOrder.Baba })
                {
                    var part = ModelMetrics.Ioi(gpt2, dataset, split, order: order);
                    Console.WriteLine($"  {order}: top-1 {part.Top1Accuracy:P1}, IO>S {part.IoOverSAccuracy:P1}, mean logit diff {part.MeanLogitDiff:F2} (n={part.Count})");
                }
            }
            foreach (var suffix in new[] { "", ModelExporter.Opset17Suffix, ModelExporter.PastSuffix, ModelExporter.MergedSuffix, ModelExporter.DynamoSuffix })
                Console.WriteLine($"  {TinyGpt2Trainer.Name}{suffix}.onnx: {Size(Path.Combine(folder, TinyGpt2Trainer.Name + suffix + ".onnx"))}");
            Console.WriteLine($"  {TinyGpt2Trainer.Name}.weights: {Size(Path.Combine(folder, TinyGpt2Trainer.Name + ".weights"))}");
        }
        return 0;
    }

    /// <summary>Loads a GPT-2-layout model in ONNX Runtime and runs one prompt: checks a freshly written benchmark model.</summary>
    static int Smoke(string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var runner = new OnnxRunner(path);
        var load = clock.Elapsed.TotalSeconds;
        var tokens = IoiDataset.Gpt2Tokenizer().EncodeToIds("When Mary and John went to the store, John gave a drink to").ToArray();
        clock.Restart();
        var (logits, shape) = runner.Logits([tokens]);
        var last = LogitMath.At(logits, shape, 0, tokens.Length - 1);
        Console.WriteLine($"{path}: loaded in {load:F1} s, forward {clock.Elapsed.TotalMilliseconds:F0} ms, logits [{string.Join(", ", shape)}], " +
            $"argmax at last position {LogitMath.ArgMax(last)}, finite {logits.All(float.IsFinite)}");
        return 0;
    }

    static string Size(string path) => $"{new FileInfo(path).Length / 1e6:F2} MB";

    static Dictionary<string, string> ParseOptions(string[] args, out List<string> positional)
    {
        var options = new Dictionary<string, string>();
        positional = [];
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--")) { positional.Add(args[i]); continue; }
            if (i + 1 >= args.Length) throw new ArgumentException($"option {args[i]} needs a value");
            options[args[i][2..]] = args[++i];
        }
        return options;
    }

    static string Required(Dictionary<string, string> options, string key) =>
        options.TryGetValue(key, out var value) ? value : throw new ArgumentException($"--{key} is required");

    static int Fail(string message)
    {
        Console.Error.WriteLine($"ModelForge: {message}");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
