using System.CommandLine;
using OnnxInterp.Cli.Commands.Ablate;
using OnnxInterp.Cli.Commands.Attribute;
using OnnxInterp.Cli.Commands.Experiment;
using OnnxInterp.Cli.Commands.Heads;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Experiments;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Demo;

/// <summary>Writes the demo spec into the output folder, runs it as an experiment, and summarises what it found in a few lines.</summary>
public sealed class DemoCommand(DemoCommandDefinition d, ParseResult parse, CliConsole console)
{
    public int Execute()
    {
        var models = ModelsFolder(parse.GetValue(d.Models));
        var folder = ReportFiles.PrepareFolder(parse.GetValue(d.Output)!);
        var spec = ReportFiles.WriteText(folder, "demo.experiment.json", DemoSpec.Json(models));
        var device = parse.GetValue(d.Device);
        var results = ExperimentCommand.Run(spec, folder, device, console, parse.GetValue(d.Quiet))!;
        DemoSummary.Write(console.Out, results);
        console.Out.WriteLine();
        console.Out.WriteLine($"{results.Steps.Count} steps in {results.Seconds:0.0} s on {results.Device}. Open {Path.Combine(folder, "report.html")}");
        console.Out.WriteLine($"(results.json has every number; rerun or edit the experiment: onnxinterp experiment {spec} -o DIR)");
        return ExitCodes.Success;
    }

    /// <summary>The shipped models: --models, else onnx-models/ in the current folder or above, else beside or above the tool.</summary>
    static string ModelsFolder(string? given)
    {
        if (given is not null)
        {
            if (!File.Exists(Path.Combine(given, DemoSpec.InductionModel)) || !File.Exists(Path.Combine(given, DemoSpec.IoiModel)))
                throw new UsageException($"--models {given} does not hold {DemoSpec.InductionModel} and {DemoSpec.IoiModel}; give the repository's onnx-models folder.");
            return Path.GetFullPath(given);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                var candidate = Path.Combine(dir, "onnx-models");
                if (File.Exists(Path.Combine(candidate, DemoSpec.InductionModel)) && File.Exists(Path.Combine(candidate, DemoSpec.IoiModel))) return candidate;
            }
        throw new UsageException($"cannot find the shipped models (onnx-models/{DemoSpec.InductionModel} and {DemoSpec.IoiModel}) here or above; run the demo from the repository, or give --models DIR.");
    }
}
