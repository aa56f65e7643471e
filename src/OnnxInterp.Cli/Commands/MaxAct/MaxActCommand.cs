using System.CommandLine;
using System.Globalization;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.MaxAct;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Progress;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Cli.Reports.Html;
using OnnxInterp.Cli.Experiments.Steps;
using OnnxInterp.Onnx;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.MaxAct;

/// <summary>Streams the data file through one compiled session that exposes the targets' hooks, keeping k contexts per target.</summary>
public sealed class MaxActCommand
{
    readonly CliConsole console;
    readonly MaxActCommandDefinition d;
    readonly ParseResult parse;
    readonly string modelPath, dataPath;
    readonly string? output;
    readonly MaxActOptions options;

    public MaxActCommand(MaxActCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        modelPath = parse.GetRequiredValue(d.Model);
        dataPath = parse.GetRequiredValue(d.Data);
        output = parse.GetValue(d.Output);
        options = new MaxActOptions(parse.GetValue(d.K), parse.GetValue(d.BatchSize), parse.GetValue(d.Before), parse.GetValue(d.After), parse.GetValue(d.MaxExamples));
        if (options.K < 1) throw new UsageException($"-k must be at least 1, not {options.K}.");
        if (options.BatchSize < 1) throw new UsageException($"--batch-size must be at least 1, not {options.BatchSize}.");
        if (options.ContextBefore < 0 || options.ContextAfter < 0) throw new UsageException("--context and --after must be 0 or more.");
        if (options.MaxExamples is < 1) throw new UsageException("--max-examples must be at least 1.");
        if (!File.Exists(dataPath)) throw new FileNotFoundException($"--data {dataPath}: file not found.", dataPath);
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        if (parse.GetValue(d.Html) is { } htmlPath) OutputPaths.Check(htmlPath, modelPath, "--html");
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        var targets = Targets(model);
        int maxLength = parse.GetValue(d.MaxLength) ?? (model.Map.Config.NCtx > 0 ? model.Map.Config.NCtx : 1024);
        if (maxLength < 1) throw new UsageException("--max-length must be at least 1.");
        bool gpt2 = BosToken.UsesGpt2Vocabulary(model);

        using var capture = CreateCapture(model, targets);
        IEnumerable<TokenExample> Read(StreamReader r) =>
            TokenLines.Read(r, gpt2 ? Gpt2Tokens.Encode : null, parse.GetValue(d.NoBos) ? null : BosToken.Of(model), maxLength, model.Map.DVocab);
        using var reader = new StreamReader(dataPath);
        var examples = Read(reader);
        bool quiet = parse.GetValue(d.Quiet);
        MaxActProgress? last = null;
        // The bar follows the bytes read (or the examples, when --max-examples stops early), so its time left needs no counting pass.
        long total = options.MaxExamples ?? Math.Max(1, reader.BaseStream.Length);
        IReadOnlyList<MaxActTargetResult> results;
        try
        {
            results = ProgressDisplay.Run(console, quiet, "maxact", total, options.MaxExamples is null ? "bytes" : "examples", sink =>
                MaxActSearch.Run(examples, targets, capture.Run, options, new SearchProgress(p =>
                {
                    last = p;
                    sink.Report(options.MaxExamples is null ? Math.Min(reader.BaseStream.Position, total - 1) : p.Examples, $"{p.Examples:N0} examples, {p.Tokens:N0} tokens");
                })));
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"--data {dataPath}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        if (!quiet && last is { } done)
            console.Error.WriteLine($"maxact: {done.Examples:N0} examples, {done.Tokens:N0} tokens, {done.Elapsed.TotalSeconds:0.0} s ({(done.Elapsed.TotalSeconds > 0 ? done.Tokens / done.Elapsed.TotalSeconds : 0):N0} tokens/s), done");

        var rows = results.Select(r => new MaxActTargetRow(r.Target.Label, r.Target.Kind.ToString(), r.Target.Hook,
            [.. r.Examples.Select((e, i) => Row(model, e, i + 1))])).ToList();
        var report = new MaxActOutput(Path.GetFullPath(modelPath), capture.Device.ToString().ToLowerInvariant(), Path.GetFullPath(dataPath),
            last?.Examples ?? 0, last?.Tokens ?? 0, last?.Elapsed.TotalSeconds ?? 0, options.K, rows, null);
        if (folder is not null)
            report = report with
            {
                Files = ReportFiles.WriteTable(folder, "maxact", report,
                    ["target", "rank", "activation", "example", "line", "position", "token", "key_position", "context"],
                    rows.SelectMany(t => t.Examples.Select(e => (IReadOnlyList<object?>)[t.Target, e.Rank, e.Activation, e.Example, e.Line, e.Position, e.Token, e.KeyPosition, e.Context]))),
            };
        if (parse.GetValue(d.Html) is { } html)
        {
            var texts = MaxActTexts.Of(model, results, capture.Run, () => new StreamReader(dataPath), Read);
            AtomicFile.WriteAllText(html, TokenTextHtml.Page($"Max-activating contexts: {Path.GetFileName(modelPath)} over {Path.GetFileName(dataPath)}", texts));
            report = report with { Files = [.. report.Files ?? [], Path.GetFullPath(html)] };
        }
        if (parse.GetValue(d.Json)) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    HookCapture CreateCapture(HookedModel model, IReadOnlyList<MaxActTarget> targets)
    {
        try
        {
            return new HookCapture(model, targets.Select(t => t.Hook).Distinct(), parse.GetValue(d.Device), console.Notice);
        }
        catch (HookMapException e)
        {
            throw new UsageException(e.Message);
        }
    }

    List<MaxActTarget> Targets(HookedModel model)
    {
        var targets = new List<MaxActTarget>();
        foreach (var spec in parse.GetValue(d.Neuron) ?? [])
        {
            try { targets.Add(MaxActTarget.Parse(spec)); }
            catch (FormatException e) { throw new UsageException($"--neuron: {e.Message}"); }
        }
        var metric = parse.GetValue(d.HeadMetric);
        if (metric is not ("norm" or "attention")) throw new UsageException($"--head-metric must be norm or attention, not '{metric}'.");
        foreach (var spec in parse.GetValue(d.Head) ?? [])
        {
            var parts = spec.Split('.');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int layer) || !int.TryParse(parts[1], out int head)
                || layer < 0 || layer >= model.Map.NLayers || head < 0 || head >= model.Map.NHeads)
                throw new UsageException($"--head '{spec}' is not LAYER.HEAD with layer 0..{model.Map.NLayers - 1} and head 0..{model.Map.NHeads - 1}.");
            targets.Add(MaxActTarget.Head(layer, head, metric == "attention"));
        }
        foreach (var spec in parse.GetValue(d.Direction) ?? [])
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0 || eq == spec.Length - 1) throw new UsageException($"--direction '{spec}' is not HOOK=FILE.");
            targets.Add(MaxActTarget.Along(spec[..eq], ReadVector(spec[(eq + 1)..]), Path.GetFileName(spec[(eq + 1)..])));
        }
        if (targets.Count == 0) throw new UsageException("nothing to look for: give --neuron HOOK:N, --head L.H or --direction HOOK=FILE.");
        return targets;
    }

    static float[] ReadVector(string file)
    {
        if (!File.Exists(file)) throw new UsageException($"--direction: file not found: {file}.");
        var parts = File.ReadAllText(file).Split([',', ' ', '\n', '\r', '\t', '[', ']'], StringSplitOptions.RemoveEmptyEntries);
        var v = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                throw new UsageException($"--direction {file}: '{parts[i]}' is not a number.");
        if (v.Length == 0) throw new UsageException($"--direction {file} holds no numbers.");
        return v;
    }

    static MaxActExampleRow Row(HookedModel model, MaxActExample e, int rank)
    {
        var text = e.Context.Select((t, i) =>
        {
            var s = AnalysisInputs.Text(model, t).Replace("\n", "\\n");
            int pos = e.ContextStart + i;
            return pos == e.Position ? $"[[{s}]]" : pos == e.KeyPosition ? $"{{{{{s}}}}}" : s;
        });
        var separator = BosToken.UsesGpt2Vocabulary(model) ? "" : " ";
        return new MaxActExampleRow(rank, e.Activation, e.Example, e.Line, e.Position, AnalysisInputs.Text(model, e.Context[e.Position - e.ContextStart]),
            e.KeyPosition, string.Join(separator, text), e.ContextStart, e.Context);
    }

    void WriteText(MaxActOutput r)
    {
        var w = console.Out;
        w.WriteLine($"{r.Examples} examples, {r.Tokens} tokens in {r.Seconds:0.0} s; top {r.K} per target ([[token]] activates, {{{{key}}}} is attended to)");
        foreach (var t in r.Targets)
        {
            w.WriteLine($"{t.Target} ({t.Hook}):");
            foreach (var e in t.Examples)
                w.WriteLine($"  {e.Rank,3}. {e.Activation,10:0.0000}  line {e.Line} pos {e.Position}: {e.Context}");
        }
        foreach (var f in r.Files ?? []) w.WriteLine($"wrote {f}");
    }

    /// <summary>The search's progress, handled synchronously (Progress&lt;T&gt; would post it to the thread pool).</summary>
    sealed class SearchProgress(Action<MaxActProgress> report) : IProgress<MaxActProgress>
    {
        public void Report(MaxActProgress value) => report(value);
    }
}
