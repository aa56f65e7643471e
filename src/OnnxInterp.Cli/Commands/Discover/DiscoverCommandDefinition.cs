using System.CommandLine;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Discover;

/// <summary><c>onnxinterp discover MODEL --ioi N [--threshold T] [--metric kl|logit-diff]</c>: ACDC on the residual graph.</summary>
public sealed class DiscoverCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public PromptPairOptions Prompts { get; } = new();
    public Option<double> Threshold { get; } = new("--threshold") { Description = "Remove an edge when removing it moves the metric by less than this (KL in nats, or logit difference).", HelpName = "T", DefaultValueFactory = _ => 0.01 };
    public Option<string> Metric { get; } = new("--metric") { Description = "kl (default: KL from the clean run's next-token distribution) or logit-diff.", HelpName = "NAME", DefaultValueFactory = _ => "kl" };
    public Option<int> RowsPerRun { get; } = new("--rows-per-run") { Description = "Batch rows per session run.", HelpName = "N", DefaultValueFactory = _ => 32 };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for discover.json (kept edges, every test), circuit.dot and circuit.png (when Graphviz's dot is installed).", HelpName = "DIR" };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<bool> Quiet { get; } = CommonOptions.Quiet();

    public DiscoverCommandDefinition(CliConsole console)
        : base("discover", "Automated circuit discovery (ACDC): remove every residual-graph edge whose removal (patching it from the corrupted run) moves the metric by less than the threshold, from the logits back, and report the circuit that is left.")
    {
        Arguments.Add(Model);
        foreach (var o in Prompts.All.Concat([Threshold, Metric, RowsPerRun, HookMap, Output, Device, Json, Quiet]))
            Options.Add(o);
        SetAction(parse => new DiscoverCommand(this, parse, console).Execute());
    }
}
