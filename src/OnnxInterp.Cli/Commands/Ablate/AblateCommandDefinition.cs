using System.CommandLine;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Ablate;

/// <summary>
/// <c>onnxinterp ablate MODEL --repeated 16 --method zero --heads</c>: zero, mean or resample ablation of heads,
/// layers, neurons or positions, and the effect on a metric; sweeps put one variant per batch row group.
/// </summary>
public sealed class AblateCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<string[]> Prompt { get; } = Many("--prompt", "A prompt (GPT-2 text, prefixed with BOS unless --no-bos). Repeatable; all prompts must tokenize to the same length.", "TEXT");
    public Option<string[]> Tokens { get; } = Many("--tokens", "A prompt as token ids, comma-separated. Repeatable; all of the same length.", "IDS");
    public Option<int?> Repeated { get; } = new("--repeated") { Description = "Use N random sequences of the model's context length with one repeated segment (RepeatedTokens.RandomSegment); the metric reads the repeated half.", HelpName = "N" };
    public Option<int?> Ioi { get; } = new("--ioi") { Description = "Use N clean IOI prompts (one template); answer = indirect object, wrong = subject.", HelpName = "N" };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of --repeated and --ioi.", HelpName = "S", DefaultValueFactory = _ => 0 };
    public Option<bool> NoBos { get; } = CommonOptions.NoBos();
    public Option<string> Method { get; } = new("--method", "-m") { Description = "zero, mean (over the prompts, rows and positions) or resample (prompt i reads prompt i+1's activation).", HelpName = "NAME", DefaultValueFactory = _ => "zero" };
    public Option<bool> Heads { get; } = new("--heads") { Description = "Knock-out sweep: ablate each attention head (its z) on its own, one variant per head (the default when nothing else is chosen)." };
    public Option<bool> Layers { get; } = new("--layers") { Description = "Sweep: ablate each layer's attn_out and mlp_out on its own." };
    public Option<int?> Neurons { get; } = new("--neurons") { Description = "Sweep: ablate each MLP neuron (mlp.hook_post) of layer L on its own.", HelpName = "L" };
    public Option<string> Positions { get; } = new("--positions") { Description = "Sweep: ablate HOOK (e.g. blocks.0.hook_resid_pre) at each position on its own.", HelpName = "HOOK" };
    public Option<string[]> Site { get; } = Many("--site", "Ablate these together as one variant (repeatable): L.H (a head), attn:L, mlp:L, neuron:L.N, or HOOK[axis=i,...] such as blocks.1.attn.hook_z[head=2].", "SITE");
    public Option<string> Metric { get; } = new("--metric") { Description = "loss (default; logit-diff with --ioi), logit-diff, prob, kl, rank or accuracy.", HelpName = "NAME" };
    public Option<string> Answer { get; } = new("--answer") { Description = "Answer token after the last position (GPT-2 text, one token) for logit-diff, prob, rank.", HelpName = "TOKEN" };
    public Option<int?> AnswerId { get; } = new("--answer-id") { Description = "Answer token as an id.", HelpName = "ID" };
    public Option<string> Wrong { get; } = new("--wrong") { Description = "Wrong-answer token for logit-diff (GPT-2 text).", HelpName = "TOKEN" };
    public Option<int?> WrongId { get; } = new("--wrong-id") { Description = "Wrong-answer token as an id.", HelpName = "ID" };
    public Option<int> RowsPerRun { get; } = new("--rows-per-run") { Description = "Batch rows per session run.", HelpName = "N", DefaultValueFactory = _ => 32 };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> LogitsOutput { get; } = CommonOptions.LogitsOutput();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for ablate.json, ablate.csv and, per sweep, NAME.json, NAME.csv and NAME.png.", HelpName = "DIR" };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<bool> Quiet { get; } = CommonOptions.Quiet();

    public AblateCommandDefinition(CliConsole console)
        : base("ablate", "Ablation: replace heads, layers, MLP neurons or positions by zeros, their dataset mean, or another prompt's activation, and report the effect on a metric (loss by default).")
    {
        Arguments.Add(Model);
        foreach (var o in new Option[] { Prompt, Tokens, Repeated, Ioi, Seed, NoBos, Method, Heads, Layers, Neurons, Positions, Site, Metric,
                     Answer, AnswerId, Wrong, WrongId, RowsPerRun, HookMap, LogitsOutput, Output, Device, Json, Quiet })
            Options.Add(o);
        SetAction(parse => new AblateCommand(this, parse, console).Execute());
    }

    static Option<string[]> Many(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };
}
