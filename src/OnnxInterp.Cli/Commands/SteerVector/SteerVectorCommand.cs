using System.CommandLine;
using System.Globalization;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.SteerVector;

/// <summary>Reads both prompt files, runs them as one engine plan reading the hook, and saves mean(positive) - mean(negative).</summary>
public sealed class SteerVectorCommand
{
    readonly CliConsole console;
    readonly SteerVectorCommandDefinition d;
    readonly ParseResult parse;
    readonly string modelPath, hook, output;
    readonly SteeringPosition position;

    public SteerVectorCommand(SteerVectorCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        modelPath = parse.GetRequiredValue(d.Model);
        hook = parse.GetRequiredValue(d.Hook);
        output = parse.GetRequiredValue(d.Output);
        position = (parse.GetValue(d.Position) ?? "last").ToLowerInvariant() switch
        {
            "last" => SteeringPosition.Last,
            "mean" => SteeringPosition.Mean,
            var other => throw new UsageException($"--position '{other}' is not a position; use last or mean."),
        };
    }

    public int Execute()
    {
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        OutputPaths.Check(output, modelPath);
        if (!model.Map.TryGet(hook, out _))
            throw new UsageException($"--hook: the model has no hook '{hook}'. `onnxinterp inspect MODEL` lists its hooks (e.g. blocks.0.hook_resid_pre).");
        var positive = Prompts(model, parse.GetRequiredValue(d.Positive), "--positive");
        var negative = Prompts(model, parse.GetRequiredValue(d.Negative), "--negative");
        var device = parse.GetValue(d.Device);
        NamedTensor vector;
        using (var engine = new InterventionEngine(model, new InterventionOptions(Device: device, Log: console.Notice)))
        {
            try { vector = SteeringVectors.DifferenceOfMeans(engine, hook, positive, negative, position); }
            catch (Exception e) when (e is ArgumentException or HookMapException) { throw new UsageException(e.Message); }
        }
        var metadata = new Dictionary<string, string>
        {
            ["model"] = Path.GetFileName(modelPath),
            ["hook"] = hook,
            ["position"] = position.ToString().ToLowerInvariant(),
            ["positive"] = Path.GetFileName(parse.GetRequiredValue(d.Positive)),
            ["negative"] = Path.GetFileName(parse.GetRequiredValue(d.Negative)),
        };
        SafeTensors.Save(output, [vector], metadata);
        double norm = Math.Sqrt(vector.Floats.Sum(v => (double)v * v));
        var report = new SteerVectorOutput(Path.GetFullPath(modelPath), hook, metadata["position"], positive.Count, negative.Count, vector.Shape, norm, Path.GetFullPath(output));
        if (parse.GetValue(d.Json)) JsonOutput.Write(console.Out, report);
        else console.Out.WriteLine($"saved {hook} [{string.Join(", ", vector.Shape)}] (norm {norm.ToString("G4", CultureInfo.InvariantCulture)}): mean of {positive.Count} positive minus {negative.Count} negative prompts at the {metadata["position"]} position, to {report.SavedTo}");
        return ExitCodes.Success;
    }

    List<IReadOnlyList<long>> Prompts(HookedModel model, string file, string option)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"{option} file not found: {file}.", file);
        var lines = File.ReadAllLines(file).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count == 0) throw new UsageException($"{option} {file} has no prompts; write one prompt per line.");
        int context = model.Map.Config.NCtx;
        return [.. lines.Select((line, i) =>
        {
            var ids = AnalysisInputs.ReadTokens(model, line, null, parse.GetValue(d.NoBos))!.Select(t => (long)t).ToList();
            return context > 0 && ids.Count > context
                ? throw new UsageException($"{option} {file} line {i + 1} is {ids.Count} tokens, longer than the model's context window of {context}.")
                : (IReadOnlyList<long>)ids;
        })];
    }
}
