using System.CommandLine;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Patch;

/// <summary>
/// <c>onnxinterp patch MODEL --clean TEXT --corrupted TEXT --answer TOK --wrong TOK [--sweep NAME]</c>: activation
/// patching sweeps, every variant a row of a few batched runs.
/// </summary>
public sealed class PatchCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public PromptPairOptions Prompts { get; } = new();
    public Option<string[]> Sweep { get; } = new("--sweep", "-s")
    {
        Description = $"Sweep to run (repeatable; all share one batch plan): {string.Join(", ", Sweeps.ByName.Keys)}. Default every-block (resid_pre, attn_out, mlp_out by layer x position).",
        HelpName = "NAME",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<string> Metric { get; } = new("--metric") { Description = "logit-diff (default), loss, prob, kl, rank or accuracy; reported raw and normalised (0 = corrupted, 1 = clean).", HelpName = "NAME", DefaultValueFactory = _ => "logit-diff" };
    public Option<bool> Reverse { get; } = new("--reverse") { Description = "Patch corrupted activations into the clean run (noising) instead of clean into corrupted." };
    public Option<int> RowsPerRun { get; } = new("--rows-per-run") { Description = "Batch rows per session run.", HelpName = "N", DefaultValueFactory = _ => 32 };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> LogitsOutput { get; } = CommonOptions.LogitsOutput();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for patch.json and, per sweep, NAME.json, NAME.csv and NAME.png (heatmap).", HelpName = "DIR" };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<bool> Quiet { get; } = CommonOptions.Quiet();

    public PatchCommandDefinition(CliConsole console)
        : base("patch", "Activation patching: patch clean activations into the corrupted run (or back with --reverse) at every layer x position, or per attention head, and report how much of the clean behaviour each patch recovers.")
    {
        Arguments.Add(Model);
        foreach (var o in Prompts.All.Concat([Sweep, Metric, Reverse, RowsPerRun, HookMap, LogitsOutput, Output, Device, Json, Quiet]))
            Options.Add(o);
        SetAction(parse => new PatchCommand(this, parse, console).Execute());
    }
}
