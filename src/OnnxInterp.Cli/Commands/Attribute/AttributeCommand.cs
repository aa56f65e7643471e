using System.CommandLine;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Attribution;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Attribute;

/// <summary>Captures the residual decomposition and the final LayerNorm scale, then attributes in C# from the model's weights.</summary>
public sealed class AttributeCommand
{
    readonly CliConsole console;
    readonly AttributeCommandDefinition d;
    readonly ParseResult parse;
    readonly string modelPath;
    readonly bool perHead, json;
    readonly int top, batchSize;
    readonly int? ioi;
    readonly string? output;

    public AttributeCommand(AttributeCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        modelPath = parse.GetRequiredValue(d.Model);
        var by = parse.GetValue(d.By);
        perHead = by switch
        {
            "head" => true,
            "layer" => false,
            _ => throw new UsageException($"--by must be head or layer, not '{by}'."),
        };
        top = parse.GetValue(d.TopN);
        batchSize = parse.GetValue(d.BatchSize);
        ioi = parse.GetValue(d.Ioi);
        output = parse.GetValue(d.Output);
        json = parse.GetValue(d.Json);
        if (top < 1) throw new UsageException($"--top must be at least 1, not {top}.");
        if (batchSize < 1) throw new UsageException($"--batch-size must be at least 1, not {batchSize}.");
        bool hasPrompt = parse.GetValue(d.Prompt) is not null || parse.GetValue(d.Tokens) is not null;
        if (ioi is not null && hasPrompt) throw new UsageException("give either --ioi N or a prompt (--prompt/--tokens), not both.");
        if (ioi is null && !hasPrompt) throw new UsageException("nothing to attribute: give --prompt TEXT --answer TOKEN (or --tokens IDS --answer-id ID), or --ioi N.");
        if (ioi is < 1) throw new UsageException($"--ioi must be at least 1, not {ioi}.");
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        if (!model.Map.Parameters.ContainsKey("W_U"))
            throw new UsageException("the model has no unembedding (W_U) that the hook map records, so there is no answer direction to attribute to.");
        var (prompts, direction, single) = Prompts(model);

        var dla = new DirectLogitAttribution(model, perHead);
        using var capture = new HookCapture(model, dla.Hooks, parse.GetValue(d.Device), console.Notice);
        var result = dla.Run(capture, prompts, batchSize);

        static AttributeComponentRow Row(AttributionComponent c) => new(c.Label, c.Kind, c.Layer, c.Head, c.Value);
        var report = new AttributeOutput(Path.GetFullPath(modelPath), capture.Device.ToString().ToLowerInvariant(), direction, result.Samples,
            single?.Tokens, single?.Position, [.. result.Components.Select(Row)], [.. result.Ranked().Take(top).Select(Row)],
            result.MeanTotal, result.MeanActual, result.MaxError, null);
        if (folder is not null) report = report with { Files = Write(folder, report, model.Map) };
        if (json) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    (IReadOnlyList<AttributionPrompt> Prompts, string Direction, AttributionPrompt? Single) Prompts(HookedModel model)
    {
        if (ioi is { } count)
        {
            if (!BosToken.UsesGpt2Vocabulary(model))
                throw new UsageException($"--ioi needs a model with GPT-2's vocabulary; this one has {model.Map.DVocab} tokens.");
            var split = parse.GetValue(d.IoiSplit) switch
            {
                "held-out" => IoiSplit.HeldOut,
                "train" => IoiSplit.Train,
                var other => throw new UsageException($"--ioi-split must be held-out or train, not '{other}'."),
            };
            int datasetSeed = int.TryParse(model.Model.Metadata("onnxinterp.ioi.dataset_seed"), out var s) ? s : IoiDataset.DefaultSeed;
            var dataset = new IoiDataset(IoiDataset.Gpt2Tokenizer(), datasetSeed);
            var prompts = dataset.Prompts(count, parse.GetValue(d.Seed), split).Select(AttributionPrompt.FromIoi).ToList();
            return (prompts, $"logit(indirect object) - logit(subject), mean over {count} IOI prompts ({parse.GetValue(d.IoiSplit)})", null);
        }
        var ids = AnalysisInputs.ReadTokens(model, parse.GetValue(d.Prompt), parse.GetValue(d.Tokens), parse.GetValue(d.NoBos))!;
        var answer = AnalysisInputs.ReadToken(model, parse.GetValue(d.Answer), parse.GetValue(d.AnswerId), "--answer")
            ?? throw new UsageException("give the answer token: --answer TOKEN (GPT-2 text) or --answer-id ID.");
        var wrong = AnalysisInputs.ReadToken(model, parse.GetValue(d.Wrong), parse.GetValue(d.WrongId), "--wrong");
        var position = parse.GetValue(d.Position);
        int pos = position is { } p ? p < 0 ? ids.Length + p : p : ids.Length - 1;
        if (pos < 0 || pos >= ids.Length) throw new UsageException($"--pos {position} is outside the {ids.Length} tokens.");
        string Name(int t) => AnalysisInputs.Quoted(AnalysisInputs.Text(model, t));
        var direction = wrong is { } w ? $"logit({Name(answer)}) - logit({Name(w)})" : $"logit({Name(answer)})";
        var single = new AttributionPrompt(ids, pos, answer, wrong);
        return ([single], direction, single);
    }

    static IReadOnlyList<string> Write(string folder, AttributeOutput report, HookMap map)
    {
        var files = ReportFiles.WriteTable(folder, "attribution", report,
            ["label", "kind", "layer", "head", "value"],
            report.Components.Select(c => (IReadOnlyList<object?>)[c.Label, c.Kind, c.Layer, c.Head, c.Value])).ToList();
        var heads = report.Components.Where(c => c.Kind == "head").ToDictionary(c => (c.Layer!.Value, c.Head!.Value), c => c.Value);
        if (heads.Count > 0)
        {
            var grid = GridResult.From("Direct logit attribution per head", "layer", "head",
                GridResult.Indices(map.NLayers), GridResult.Indices(map.NHeads), (l, h) => heads.GetValueOrDefault((l, h), double.NaN), "logit attribution");
            files.AddRange(ReportFiles.WriteGrid(folder, "dla-heads", grid));
        }
        return files;
    }

    void WriteText(AttributeOutput r)
    {
        var w = console.Out;
        w.WriteLine($"direct logit attribution of {r.Direction}" + (r.Position is { } p ? $" at position {p}" : ""));
        w.WriteLine($"top {r.Top.Count} components by |attribution|:");
        foreach (var c in r.Top) w.WriteLine($"  {c.Label,-14} {c.Value,10:+0.0000;-0.0000}");
        foreach (var b in r.Components.Where(c => c.Kind == "bias")) w.WriteLine($"  {b.Label,-14} {b.Value,10:+0.0000;-0.0000}  (constant term)");
        w.WriteLine($"sum of all {r.Components.Count} terms {r.MeanTotal:+0.0000;-0.0000}; model's logit difference {r.MeanActual:+0.0000;-0.0000} (largest per-prompt gap {r.MaxError:G3})");
        foreach (var f in r.Files ?? []) w.WriteLine($"wrote {f}");
    }
}
