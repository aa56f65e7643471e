using System.CommandLine;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.PathPatch;

/// <summary>
/// <c>onnxinterp path-patch MODEL --ioi N [--senders LIST] [--receivers LIST]</c>: path patching from senders to
/// receivers along the direct path, every (sender, receiver, pair) a row of one batched plan.
/// </summary>
public sealed class PathPatchCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public PromptPairOptions Prompts { get; } = new();
    public Option<string> Senders { get; } = new("--senders") { Description = "Comma-separated senders: LlHh (a head), mlpL, embed, pos_embed, or heads, mlps, embeds, all (default).", HelpName = "LIST", DefaultValueFactory = _ => "all" };
    public Option<string> Receivers { get; } = new("--receivers") { Description = "Comma-separated receivers: LlHh_q, LlHh_k, LlHh_v (one head's query, key or value input), mlpL, logits (default), or q, k, v, mlps, all.", HelpName = "LIST", DefaultValueFactory = _ => "logits" };
    public Option<string> Metric { get; } = new("--metric") { Description = "logit-diff (default), loss, prob, kl, rank or accuracy; reported raw and normalised (1 = clean, 0 = corrupted).", HelpName = "NAME", DefaultValueFactory = _ => "logit-diff" };
    public Option<int> RowsPerRun { get; } = new("--rows-per-run") { Description = "Batch rows per session run.", HelpName = "N", DefaultValueFactory = _ => 32 };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for path-patch.json, and path-patch-grid.json, .csv and .png (the sender x receiver heatmap).", HelpName = "DIR" };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<bool> Quiet { get; } = CommonOptions.Quiet();

    public PathPatchCommandDefinition(CliConsole console)
        : base("path-patch", "Path patching: how much of the clean behaviour is left when one receiver (a head's query, key or value input, an MLP, the logits) reads one sender's corrupted output along the direct path only.")
    {
        Arguments.Add(Model);
        foreach (var o in Prompts.All.Concat([Senders, Receivers, Metric, RowsPerRun, HookMap, Output, Device, Json, Quiet]))
            Options.Add(o);
        SetAction(parse => new PathPatchCommand(this, parse, console).Execute());
    }
}
