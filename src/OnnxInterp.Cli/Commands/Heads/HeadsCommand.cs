using System.CommandLine;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Heads;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Cli.Reports.Html;
using OnnxInterp.Cli.Experiments;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;

namespace OnnxInterp.Cli.Commands.Heads;

/// <summary>Captures every layer's attention pattern on the sequences and scores each head with each detector.</summary>
public sealed class HeadsCommand
{
    static readonly (string Name, HeadKind Kind)[] Detectors =
        [("previous-token", HeadKind.PreviousToken), ("duplicate-token", HeadKind.DuplicateToken), ("induction", HeadKind.Induction)];

    readonly CliConsole console;
    readonly HeadsCommandDefinition d;
    readonly ParseResult parse;
    readonly IReadOnlyList<(string Name, HeadKind Kind)> detectors;
    readonly int sequences, top, batchSize;
    readonly string? html, output;

    public HeadsCommand(HeadsCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        var asked = parse.GetValue(d.Detect) ?? [];
        detectors = asked.Length == 0 ? Detectors : [.. asked.Distinct().Select(a => Detectors.FirstOrDefault(x => x.Name == a) is { Name: not null } m ? m
            : throw new UsageException($"--detect '{a}' is not a detector; choose induction, previous-token or duplicate-token."))];
        sequences = parse.GetValue(d.Sequences);
        top = parse.GetValue(d.TopN);
        batchSize = parse.GetValue(d.BatchSize);
        html = parse.GetValue(d.Html);
        output = parse.GetValue(d.Output);
        if (sequences < 1) throw new UsageException($"--sequences must be at least 1, not {sequences}.");
        if (top < 1) throw new UsageException($"--top must be at least 1, not {top}.");
        if (batchSize < 1) throw new UsageException($"--batch-size must be at least 1, not {batchSize}.");
        if (parse.GetValue(d.Length) is < 1) throw new UsageException("--length must be at least 1.");
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(parse.GetRequiredValue(d.Model), parse.GetValue(d.HookMap));
        if (html is not null)
        {
            OutputPaths.Check(html, ProtectedFiles.For(parse.GetRequiredValue(d.Model), model.Model).With("the hook-map file", parse.GetValue(d.HookMap)), "--html");
            CheckWritable(html);
        }
        var (rows, data) = Rows(model);
        if (model.Map.Config.NCtx > 0 && rows.Any(r => r.Length > model.Map.Config.NCtx))
            throw new UsageException($"the sequences have {rows.Max(r => r.Length)} tokens but the model's context window is {model.Map.Config.NCtx}; use a smaller --length.");
        bool excludeBos = parse.GetValue(d.ExcludeBos), excludeCurrent = parse.GetValue(d.ExcludeCurrent);

        using var capture = new HookCapture(model, HeadScan.Hooks(model.Map), parse.GetValue(d.Device), console.Notice);
        var results = detectors.Select(x => (x.Name, Scores: HeadScan.Run(capture, x.Kind, rows, batchSize, excludeBos, excludeCurrent))).ToList();
        var rowsOut = results.Select(r => new HeadDetectionRow(r.Name, r.Scores.Scores,
            [.. r.Scores.Ranked().Take(top).Select(x => new HeadScoreRow(x.Layer, x.Head, x.Score))])).ToList();
        var report = new HeadsOutput(Path.GetFullPath(parse.GetRequiredValue(d.Model)), capture.Device.ToString().ToLowerInvariant(), data,
            rows.Count, rows.Max(r => r.Length), excludeBos, excludeCurrent, rowsOut, null);

        var files = new List<string>();
        if (folder is not null)
            foreach (var r in results)
            {
                var grid = GridResult.From($"{r.Name} score per head", "layer", "head", GridResult.Indices(r.Scores.Layers),
                    GridResult.Indices(r.Scores.Heads), (l, h) => r.Scores[l, h], $"{r.Name} score");
                files.AddRange(ReportFiles.WriteGrid(folder, $"heads-{r.Name}", grid, report));
            }
        if (html is not null)
        {
            // Every sequence of the batch, in the report's attention view (a selector over sequences, heads to compare, a legend).
            var view = AttentionViews.Of(model, capture, rows, [.. results.Select(r => (r.Name, r.Scores))], $"{rows.Count} sequence{(rows.Count == 1 ? "" : "s")} ({data})");
            var title = $"Attention patterns: {Path.GetFileName(parse.GetRequiredValue(d.Model))}, {rows.Count} sequence{(rows.Count == 1 ? "" : "s")} ({data})";
            AtomicFile.WriteAllText(html, AttentionPageHtml.Render(title, view));
            files.Add(Path.GetFullPath(html));
        }
        if (files.Count > 0) report = report with { Files = files };
        if (parse.GetValue(d.Json)) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    (IReadOnlyList<int[]> Rows, string Data) Rows(HookedModel model)
    {
        var custom = AnalysisInputs.ReadTokens(model, parse.GetValue(d.Prompt), parse.GetValue(d.Tokens), parse.GetValue(d.NoBos));
        if (custom is not null)
        {
            if (custom.Length < 2) throw new UsageException("the sequence must have at least two tokens.");
            return ([custom], "the given sequence");
        }
        int half = parse.GetValue(d.Length) ?? RepeatedRandomTokens.DefaultHalfLength(model.Map.Config);
        return (RepeatedRandomTokens.For(model, sequences, half, parse.GetValue(d.Seed)),
            $"{sequences} x [BOS, r, r] with {half} random tokens r, seed {parse.GetValue(d.Seed)}");
    }

    static void CheckWritable(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) throw new UsageException($"--html {path}: the folder {folder} does not exist.");
        if (Directory.Exists(path)) throw new UsageException($"--html {path} is a folder; give a file name such as attention.html.");
    }

    void WriteText(HeadsOutput r)
    {
        var w = console.Out;
        w.WriteLine($"head detector scores on {r.Data} ({r.Length} tokens); score = share of attention on the detector's pattern");
        foreach (var det in r.Detections)
        {
            w.WriteLine($"{det.Detector}:");
            w.WriteLine("  layer " + string.Concat(Enumerable.Range(0, det.Scores[0].Length).Select(h => $"{"H" + h,8}")));
            for (int l = 0; l < det.Scores.Length; l++)
                w.WriteLine($"  {l,5} " + string.Concat(det.Scores[l].Select(s => $"{s,8:0.000}")));
            w.WriteLine("  best: " + string.Join(", ", det.Top.Select(t => $"L{t.Layer}H{t.Head} {t.Score:0.000}")));
        }
        foreach (var f in r.Files ?? []) w.WriteLine($"wrote {f}");
    }
}
