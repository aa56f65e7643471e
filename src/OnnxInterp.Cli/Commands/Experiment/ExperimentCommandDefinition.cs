using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Experiment;

/// <summary><c>onnxinterp experiment SPEC.json -o OUTDIR</c>: run a spec file's steps headless into one results folder.</summary>
public sealed class ExperimentCommandDefinition : Command
{
    public Argument<string> Spec { get; } = new("SPEC") { Description = "The experiment spec (JSON, docs/experiments.md). Paths in it are relative to its folder." };
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for results.json, report.html and a CSV/PNG per table and heatmap (created if missing).", HelpName = "DIR", Required = true };
    public Option<Device?> Device { get; } = new("--device")
    {
        Description = "Overrides the spec's \"device\": auto, cpu or cuda.",
        HelpName = "auto|cpu|cuda",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "auto";
            if (Enum.TryParse<Runtime.Device>(text, ignoreCase: true, out var device) && !int.TryParse(text, out _)) return device;
            result.AddError($"--device must be auto, cpu or cuda (got '{text}').");
            return null;
        },
    };
    public Option<bool> Check { get; } = new("--check") { Description = "Validate the spec against its models and stop: nothing runs and nothing is written." };
    public Option<string> Shard { get; } = new("--shard") { Description = "Run shard K of N (0-based): step i runs on shard i mod N, a maxact step's batches are split the same way. `merge` combines all N outputs into exactly what one run gives.", HelpName = "K/N" };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress lines on stderr (errors and warnings still go there)." };

    public ExperimentCommandDefinition(CliConsole console)
        : base("experiment", "Run an experiment spec (cache, patch, ablate, lens, attribute, heads, maxact steps) headless: results.json with every number and what produced it, a CSV per table, a PNG per heatmap, and a self-contained report.html.")
    {
        Arguments.Add(Spec);
        foreach (var o in new Option[] { Output, Device, Shard, Check, Quiet }) Options.Add(o);
        SetAction(parse => new ExperimentCommand(this, parse, console).Execute());
    }
}
