using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Scrub;

/// <summary><c>onnxinterp scrub MODEL --hypothesis FILE.json --dataset FILE.jsonl</c>: causal scrubbing as one batched plan.</summary>
public sealed class ScrubCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<string> Hypothesis { get; } = new("--hypothesis") { Description = "The hypothesis: claimed residual-graph edges with equivalence rules (docs/scrubbing.md).", HelpName = "FILE.json", Required = true };
    public Option<string> Dataset { get; } = new("--dataset") { Description = "Examples to sample and resample from: one {\"tokens\": [ids], \"features\": {...}} per line, all of one length.", HelpName = "FILE.jsonl", Required = true };
    public Option<int> Samples { get; } = new("--samples") { Description = "How many examples to scrub (each a tree of rows).", HelpName = "N", DefaultValueFactory = _ => 64 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the sampling and resampling (same seed, same numbers).", HelpName = "S", DefaultValueFactory = _ => 0 };
    public Option<int> RowsPerRun { get; } = new("--rows-per-run") { Description = "Batch rows per session run (a tree's rows always share a run).", HelpName = "N", DefaultValueFactory = _ => 256 };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for scrub.json (every number and per-sample losses).", HelpName = "DIR" };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<bool> Quiet { get; } = CommonOptions.Quiet();

    public ScrubCommandDefinition(CliConsole console)
        : base("scrub", "Causal scrubbing: resample every activation the hypothesis says does not matter (and the claimed ones from equivalent examples) and report how much of the loss survives.")
    {
        Arguments.Add(Model);
        foreach (var o in new Option[] { Hypothesis, Dataset, Samples, Seed, RowsPerRun, HookMap, Output, Device, Json, Quiet }) Options.Add(o);
        SetAction(parse => new ScrubCommand(this, parse, console).Execute());
    }
}
