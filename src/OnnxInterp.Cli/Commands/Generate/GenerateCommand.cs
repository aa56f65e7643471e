using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Run;
using OnnxInterp.Cli.Common;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Generate;

/// <summary>Reads the prompt, sampling and interventions, generates through the engine, and streams or reports the tokens.</summary>
public sealed class GenerateCommand
{
    readonly CliConsole console;
    readonly GenerateCommandDefinition d;
    readonly ParseResult parse;
    readonly string modelPath;
    readonly SamplingSettings sampling;
    readonly int maxNewTokens;
    readonly Device device;
    readonly bool json;
    readonly string ablateMethod;
    readonly WriteScope scope;

    public GenerateCommand(GenerateCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        modelPath = parse.GetRequiredValue(d.Model);
        maxNewTokens = parse.GetValue(d.MaxNewTokens);
        device = parse.GetValue(d.Device);
        json = parse.GetValue(d.Json);
        if (maxNewTokens < 1) throw new UsageException($"--max-new-tokens must be at least 1, not {maxNewTokens}.");
        if (parse.GetValue(d.Prompt) is null && parse.GetValue(d.Tokens) is null) throw new UsageException("nothing to continue: give --prompt TEXT or --tokens IDS.");
        var (temperature, topK, topP) = (parse.GetValue(d.Temperature), parse.GetValue(d.TopK), parse.GetValue(d.TopP));
        bool sampled = temperature is not null || topK is not null || topP is not null;
        if (sampled && parse.GetValue(d.Greedy)) throw new UsageException("--greedy takes the most likely token; drop it or drop --temperature/--top-k/--top-p.");
        sampling = sampled ? SamplingSettings.Sample(temperature ?? 1.0, topK ?? 0, topP ?? 1.0, parse.GetValue(d.Seed)) : SamplingSettings.GreedyDecoding;
        try { sampling.Check(); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        ablateMethod = (parse.GetValue(d.AblateMethod) ?? "zero").ToLowerInvariant();
        if (ablateMethod is not ("zero" or "mean")) throw new UsageException($"--ablate-method '{ablateMethod}' is not an ablation method; use zero or mean.");
        scope = GenerationInterventions.ParseScope(parse.GetValue(d.SteerAt));
    }

    public int Execute()
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"model file not found: {modelPath}.", modelPath);
        var file = OnnxModel.Load(modelPath);
        if (!TokenFeeds.Accepts(file.Graph))
            throw new UsageException($"the model has no '{TokenFeeds.InputIds}' input (its inputs: {string.Join(", ", file.Graph.Inputs.Where(i => !file.Graph.IsInitializer(i)))}), so it does not take token ids and cannot generate; use a language model export.");
        using var sessions = new SessionCache(device, console.Notice);
        var options = new InterventionOptions(Device: device, Sessions: sessions, Log: console.Notice);
        using var generator = Load(file, options);
        var model = generator.Engine.Model;
        var prompt = AnalysisInputs.ReadTokens(model, parse.GetValue(d.Prompt), parse.GetValue(d.Tokens), parse.GetValue(d.NoBos))!.Select(t => (long)t).ToList();
        var interventions = new List<(GenerationWrite Write, string Label)>();
        foreach (var text in parse.GetValue(d.Ablate) ?? []) interventions.Add(GenerationInterventions.Ablation(text, ablateMethod, model, prompt, options));
        foreach (var text in parse.GetValue(d.Steer) ?? []) interventions.Add(GenerationInterventions.Steering(text, parse.GetValue(d.Alpha), scope, model.Map));

        bool gpt2 = BosToken.UsesGpt2Vocabulary(model);
        var request = new GenerationRequest([new GenerationRow(prompt, [.. interventions.Select(i => i.Write)])], maxNewTokens, sampling,
            gpt2 ? [GenerationRequest.EndOfText] : [], UsePast: !parse.GetValue(d.NoPast));
        var clock = Stopwatch.StartNew();
        GenerationResult result;
        try
        {
            generator.Check(request);
            if (!json) console.Out.Write(gpt2 && parse.GetValue(d.Prompt) is { } p ? p : string.Join(" ", prompt));
            result = generator.Generate(request, json ? null : token => Stream(model, token));
        }
        catch (Exception e) when (e is ArgumentException or HookMapException)
        {
            throw new UsageException(e.Message);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var sequence = result[0];
        var steps = sequence.Steps.Select((s, i) => new GenerateStepRow(i, s.Token, Text(model, s.Token), s.Probability,
            [.. s.Top.Select((t, k) => new NextTokenRow(k + 1, t.Id, Text(model, t.Id), t.Logit, t.Probability))])).ToList();
        var report = new GenerateOutput(Path.GetFullPath(modelPath), generator.Engine.Device.ToString().ToLowerInvariant(), parse.GetValue(d.Prompt), prompt,
            Describe(sampling), result.UsedPast, [.. interventions.Select(i => i.Label)], sequence.NewTokens,
            gpt2 ? string.Concat(sequence.NewTokens.Select(Gpt2Tokens.Decode)) : null, sequence.Stopped, steps, seconds, sequence.Steps.Count / Math.Max(seconds, 1e-9));
        if (json) JsonOutput.Write(console.Out, report);
        else
        {
            console.Out.WriteLine();
            console.Out.Flush();
            console.Error.WriteLine($"{sequence.Steps.Count} tokens{(sequence.Stopped ? ", stopped at end of text" : "")}, {(result.UsedPast ? "past key/values" : "full recomputation")}, " +
                $"{report.TokensPerSecond.ToString("F1", CultureInfo.InvariantCulture)} tokens/s (compilation included); {report.Sampling}{(interventions.Count > 0 ? "; " + string.Join("; ", report.Interventions) : "")}");
        }
        return ExitCodes.Success;
    }

    Generator Load(OnnxModel file, InterventionOptions options)
    {
        try { return Generator.From(file, parse.GetValue(d.HookMap), options); }
        catch (UnrecognisedModelException e) { throw new UsageException($"{e.Message.TrimEnd('.')}. Give --hook-map FILE for this model."); }
        catch (HookMapException e) { throw new UsageException(e.Message); }
    }

    void Stream(HookedModel model, GeneratedToken token)
    {
        if (token.Stop) return;
        console.Out.Write(BosToken.UsesGpt2Vocabulary(model) ? Gpt2Tokens.Decode(token.Token) : " " + token.Token.ToString(CultureInfo.InvariantCulture));
        console.Out.Flush();
    }

    static string? Text(HookedModel model, long id) => BosToken.UsesGpt2Vocabulary(model) ? Gpt2Tokens.Decode(id) : null;

    static string Describe(SamplingSettings s) => s.Greedy ? "greedy" :
        string.Create(CultureInfo.InvariantCulture, $"sampled (temperature {s.Temperature}, top-k {(s.TopK > 0 ? s.TopK : "all")}, top-p {s.TopP}, seed {s.Seed})");
}
