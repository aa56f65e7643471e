using System.CommandLine;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Lens;

/// <summary>Runs the model once with the resid hooks exposed and applies the lens in C# from the model's own weights.</summary>
public sealed class LensCommand
{
    readonly CliConsole console;
    readonly string modelPath;
    readonly string? prompt, tokens, answerText, hookMap, output;
    readonly int? answerId, position;
    readonly bool noBos, json;
    readonly int topK;
    readonly Device device;

    public LensCommand(LensCommandDefinition d, ParseResult parse, CliConsole console)
    {
        this.console = console;
        modelPath = parse.GetRequiredValue(d.Model);
        prompt = parse.GetValue(d.Prompt);
        tokens = parse.GetValue(d.Tokens);
        noBos = parse.GetValue(d.NoBos);
        answerText = parse.GetValue(d.Answer);
        answerId = parse.GetValue(d.AnswerId);
        position = parse.GetValue(d.Position);
        topK = parse.GetValue(d.TopK);
        hookMap = parse.GetValue(d.HookMap);
        output = parse.GetValue(d.Output);
        device = parse.GetValue(d.Device);
        json = parse.GetValue(d.Json);
        if (topK < 1) throw new UsageException($"--top-k must be at least 1, not {topK}.");
        if (prompt is null && tokens is null) throw new UsageException("nothing to run: give --prompt TEXT (GPT-2 models) or --tokens IDS.");
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(modelPath, hookMap);
        var ids = AnalysisInputs.ReadTokens(model, prompt, tokens, noBos)!;
        var answer = AnalysisInputs.ReadToken(model, answerText, answerId, "--answer");
        int pos = position is { } p ? p < 0 ? ids.Length + p : p : ids.Length - 1;
        if (pos < 0 || pos >= ids.Length) throw new UsageException($"--pos {position} is outside the {ids.Length} tokens.");
        if (!model.Map.Parameters.ContainsKey("W_U"))
            throw new UsageException("the model has no unembedding (W_U) that the hook map records, so there are no logits to read the residual stream with.");

        var head = Unembedding.From(model);
        using var capture = new HookCapture(model, LogitLens.Hooks(model.Map), device, console.Notice);
        var lens = LogitLens.Compute(capture.Run([ids]), capture.Map, head, 0, pos, answer, topK);

        var rows = lens.Layers.Select(l => new LensLayerRow(l.Label, l.Hook,
            [.. l.Top.Select(t => new LensTokenRow(t.Id, AnalysisInputs.Text(model, t.Id), t.Logit, t.Probability))],
            l.Answer?.Logit, l.Answer?.Probability, l.Answer?.Rank)).ToList();
        IReadOnlyList<string>? files = null;
        var report = new LensOutput(Path.GetFullPath(modelPath), capture.Device.ToString().ToLowerInvariant(), ids,
            [.. ids.Select(i => AnalysisInputs.Text(model, i))], pos, answer, answer is { } a ? AnalysisInputs.Text(model, a) : null,
            rows, lens.FinalMaxAbsError, lens.LogitScale, null);
        if (folder is not null)
        {
            files = ReportFiles.WriteTable(folder, "lens", report with { Files = null },
                ["label", "hook", "rank", "token_id", "token", "logit", "probability", "answer_logit", "answer_probability", "answer_rank"],
                rows.SelectMany(r => r.Top.Select((t, i) => (IReadOnlyList<object?>)[r.Label, r.Hook, i + 1, t.Id, t.Token, t.Logit, t.Probability, r.AnswerLogit, r.AnswerProbability, r.AnswerRank])));
            report = report with { Files = files };
        }
        if (json) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    void WriteText(LensOutput r)
    {
        var w = console.Out;
        w.WriteLine($"logit lens at position {r.Position} ({AnalysisInputs.Quoted(r.Tokens[r.Position])}) of {r.TokenIds.Count} tokens"
            + (r.AnswerToken is null ? "" : $"; answer {AnalysisInputs.Quoted(r.AnswerToken)} (id {r.Answer})"));
        foreach (var l in r.Layers)
        {
            var top = string.Join("  ", l.Top.Select(t => $"{AnalysisInputs.Quoted(t.Token)} {t.Probability:0.000}"));
            var ans = l.AnswerRank is null ? "" : $"  | answer logit {l.AnswerLogit,8:0.000} p {l.AnswerProbability:0.0000} rank {l.AnswerRank}";
            w.WriteLine($"  {l.Label,-11} {top}{ans}");
        }
        w.WriteLine($"check: lens at final_post vs the model's logits: max |difference| {r.FinalMaxAbsError:G3} (logits up to {r.LogitScale:0.###})");
        foreach (var f in r.Files ?? []) w.WriteLine($"wrote {f}");
    }
}
