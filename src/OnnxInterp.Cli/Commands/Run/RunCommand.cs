using System.CommandLine;
using OnnxInterp.Analysis;
using OnnxInterp.Cli.Common;
using OnnxInterp.Graph;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Run;

/// <summary>Compiles the model, prepares the feeds the user asked for, runs once, and reports (and optionally saves) the outputs.</summary>
public sealed class RunCommand
{
    readonly CliConsole console;
    readonly string modelPath;
    readonly FeedRequest request;
    readonly Device device;
    readonly bool json;
    readonly int topK;
    readonly int values;
    readonly string? output;

    public RunCommand(RunCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        modelPath = parse.GetRequiredValue(definition.Model);
        request = definition.Feeds.Read(parse);
        device = parse.GetValue(definition.Device);
        json = parse.GetValue(definition.Json);
        topK = parse.GetValue(definition.TopK);
        values = parse.GetValue(definition.Values);
        output = parse.GetValue(definition.Output);
        if (topK < 1) throw new UsageException($"--top-k must be at least 1, not {topK}.");
        if (values < 0) throw new UsageException($"--values must be 0 or more, not {values}.");
        if (request.IsEmpty) throw new UsageException("nothing to feed: give --prompt TEXT or --tokens IDS (token models), or --input NAME=FILE for each input.");
    }

    public int Execute()
    {
        var model = OnnxModel.Load(modelPath);
        if (output is not null) OutputPaths.Check(output, ProtectedFiles.For(modelPath, model).WithFeeds(request));
        using var compiled = SessionFactory.Compile(model, device, console.Notice);
        var feeds = ModelFeeds.Prepare(request, compiled, TokenFeeds.Accepts(model.Graph) ? ModelFeeds.ContextWindow(model) : null);
        var results = compiled.Run(feeds.Feeds);

        IReadOnlyList<NextTokenRow>? top = null;
        string? logitsName = null;
        int? width = null;
        if (feeds.TokenIds is not null)
        {
            logitsName = NextTokenPrediction.LogitsOutput(model.Graph);
            var last = NextTokenPrediction.LastPositionLogits(results[logitsName]);
            width = last.Length;
            bool gpt2 = last.Length == Gpt2Tokens.VocabularySize;
            top = [.. NextTokenPrediction.TopK(last, topK).Select((t, i) => new NextTokenRow(i + 1, t.Id, gpt2 ? Gpt2Tokens.Decode(t.Id) : null, t.Logit, t.Probability))];
        }
        if (output is not null)
            SafeTensors.Save(output, results.Values, ModelFeeds.Metadata(modelPath, request, feeds.TokenIds));

        var report = new RunOutput(Path.GetFullPath(modelPath), compiled.Device.ToString().ToLowerInvariant(), request.Prompt, feeds.TokenIds,
            feeds.Vocabulary, logitsName, width, top, [.. results.Values.Select(t => OutputSummaryRow.Of(t, values))], output is null ? null : Path.GetFullPath(output));
        if (json) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    void WriteText(RunOutput r)
    {
        var w = console.Out;
        if (r.TokenIds is { } ids)
        {
            w.WriteLine(r.Prompt is null ? $"tokens: {string.Join(",", ids)}" : $"prompt: \"{r.Prompt}\" -> tokens {string.Join(",", ids)}");
            w.WriteLine($"top {r.TopK!.Count} next tokens after position {ids.Count - 1} (softmax of '{r.LogitsOutput}' over {r.LogitsWidth}):");
            foreach (var t in r.TopK)
            {
                var text = t.Token is null ? "" : $"{Quote(t.Token),-16}  ";
                w.WriteLine($"  {t.Rank,3}. {t.Id,6}  {text}p={t.Probability:0.000000}  logit={t.Logit:G6}");
            }
        }
        else
        {
            w.WriteLine($"outputs ({r.Outputs.Count}):");
            foreach (var o in r.Outputs) w.WriteLine("  " + o);
        }
        if (r.SavedTo is not null) w.WriteLine($"saved {r.Outputs.Count} outputs to {r.SavedTo}");
    }

    static string Quote(string token) => "\"" + token.Replace("\n", "\\n").Replace("\t", "\\t") + "\"";
}
