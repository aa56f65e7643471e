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
    public Option<string> Clean { get; } = new("--clean") { Description = "The clean prompt (GPT-2 text, prefixed with BOS unless --no-bos).", HelpName = "TEXT" };
    public Option<string> Corrupted { get; } = new("--corrupted") { Description = "The corrupted prompt: same token length as --clean.", HelpName = "TEXT" };
    public Option<string> CleanTokens { get; } = new("--clean-tokens") { Description = "The clean prompt as token ids, comma-separated (models with their own vocabulary).", HelpName = "IDS" };
    public Option<string> CorruptedTokens { get; } = new("--corrupted-tokens") { Description = "The corrupted prompt as token ids: same length as --clean-tokens.", HelpName = "IDS" };
    public Option<string> Answer { get; } = new("--answer") { Description = "The correct next token as GPT-2 text (one token, mind the leading space: \" Mary\").", HelpName = "TOKEN" };
    public Option<int?> AnswerId { get; } = new("--answer-id") { Description = "The correct next token as an id.", HelpName = "ID" };
    public Option<string> Wrong { get; } = new("--wrong") { Description = "The wrong-answer token for the logit difference, as GPT-2 text.", HelpName = "TOKEN" };
    public Option<int?> WrongId { get; } = new("--wrong-id") { Description = "The wrong-answer token as an id.", HelpName = "ID" };
    public Option<int?> Ioi { get; } = new("--ioi") { Description = "Use N IOI prompt pairs (one template, ABBA/BABA alternating, corrupted = three other names; answer = indirect object, wrong = subject) instead of --clean/--corrupted.", HelpName = "N" };
    public Option<string> Pairs { get; } = new("--pairs") { Description = "A JSONL file of prompt pairs, one per line: {\"clean\": TEXT or [ids], \"corrupted\": ..., \"answer\": \" Mary\" or id, \"wrong\": ..., \"pos\": N (optional)}; all pairs the same token length.", HelpName = "FILE" };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the --ioi names and places.", HelpName = "S", DefaultValueFactory = _ => 0 };
    public Option<int> Template { get; } = new("--ioi-template") { Description = "Which training template --ioi uses (index, modulo their number).", HelpName = "K", DefaultValueFactory = _ => 0 };
    public Option<bool> NoBos { get; } = CommonOptions.NoBos();
    public Option<string[]> Sweep { get; } = new("--sweep", "-s")
    {
        Description = $"Sweep to run (repeatable; all share one batch plan): {string.Join(", ", Sweeps.ByName.Keys)}. Default every-block (resid_pre, attn_out, mlp_out by layer x position).",
        HelpName = "NAME",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<string> Metric { get; } = new("--metric") { Description = "logit-diff (default), loss, prob, kl, rank or accuracy; reported raw and normalised (0 = corrupted, 1 = clean).", HelpName = "NAME", DefaultValueFactory = _ => "logit-diff" };
    public Option<bool> Reverse { get; } = new("--reverse") { Description = "Patch corrupted activations into the clean run (noising) instead of clean into corrupted." };
    public Option<int?> Position { get; } = new("--pos") { Description = "Position whose prediction the metric reads (default: the last token; negative counts from the end).", HelpName = "N" };
    public Option<int> RowsPerRun { get; } = new("--rows-per-run") { Description = "Batch rows per session run.", HelpName = "N", DefaultValueFactory = _ => 32 };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> LogitsOutput { get; } = CommonOptions.LogitsOutput();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for patch.json and, per sweep, NAME.json, NAME.csv and NAME.png (heatmap).", HelpName = "DIR" };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();

    public PatchCommandDefinition(CliConsole console)
        : base("patch", "Activation patching: patch clean activations into the corrupted run (or back with --reverse) at every layer x position, or per attention head, and report how much of the clean behaviour each patch recovers.")
    {
        Arguments.Add(Model);
        foreach (var o in new Option[] { Clean, Corrupted, CleanTokens, CorruptedTokens, Answer, AnswerId, Wrong, WrongId, Ioi, Pairs, Seed, Template, NoBos,
                     Sweep, Metric, Reverse, Position, RowsPerRun, HookMap, LogitsOutput, Output, Device, Json })
            Options.Add(o);
        SetAction(parse => new PatchCommand(this, parse, console).Execute());
    }
}
