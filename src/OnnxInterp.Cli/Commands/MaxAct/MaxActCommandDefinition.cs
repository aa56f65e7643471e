using System.CommandLine;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.MaxAct;

/// <summary><c>onnxinterp maxact MODEL --data FILE (--neuron HOOK:N | --head L.H | --direction HOOK=FILE) [-k K]</c>.</summary>
public sealed class MaxActCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<string> Data { get; } = new("--data") { Description = "Dataset, one example per line: text (GPT-2 tokenized, BOS prepended) or a JSON array of token ids ([464, 3290]). Streamed, never loaded whole.", HelpName = "FILE", Required = true };
    public Option<string[]> Neuron { get; } = Many("--neuron", "A unit of a [batch, pos, n] hook, e.g. blocks.0.mlp.hook_post:17. Repeatable.", "HOOK:N");
    public Option<string[]> Head { get; } = Many("--head", "An attention head as LAYER.HEAD (e.g. 1.3), scored by --head-metric. Repeatable.", "L.H");
    public Option<string> HeadMetric { get; } = new("--head-metric") { Description = "norm: the L2 norm of the head's output (attn.hook_result) at the position; attention: its largest attention weight from the position to an earlier key other than the first (BOS) and the position itself.", HelpName = "norm|attention", DefaultValueFactory = _ => "norm" };
    public Option<string[]> Direction { get; } = Many("--direction", "A direction in a [batch, pos, d] hook: HOOK=FILE with d numbers (JSON array or whitespace/comma separated); the activation is the dot product. Repeatable.", "HOOK=FILE");
    public Option<int> K { get; } = new("-k", "--top-k") { Description = "Contexts to keep per target.", HelpName = "K", DefaultValueFactory = _ => 10 };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Examples per session run.", HelpName = "N", DefaultValueFactory = _ => 16 };
    public Option<long?> MaxExamples { get; } = new("--max-examples") { Description = "Stop after N examples.", HelpName = "N" };
    public Option<int?> MaxLength { get; } = new("--max-length") { Description = "Tokens kept per example (default: the model's context window); longer examples are cut.", HelpName = "N" };
    public Option<int> Before { get; } = new("--context") { Description = "Tokens of context shown before the activating token.", HelpName = "N", DefaultValueFactory = _ => 12 };
    public Option<int> After { get; } = new("--after") { Description = "Tokens of context shown after it.", HelpName = "N", DefaultValueFactory = _ => 4 };
    public Option<bool> NoBos { get; } = new("--no-bos") { Description = "Do not prefix text lines with BOS." };
    public Option<string> Html { get; } = new("--html") { Description = "Also write one self-contained HTML page of the top contexts, each token coloured by its activation.", HelpName = "FILE" };
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress display on stderr." };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for maxact.json and maxact.csv.", HelpName = "DIR" };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();

    public MaxActCommandDefinition(CliConsole console)
        : base("maxact", "Max-activating examples: stream a dataset through the model in batches and keep the top-k contexts of each neuron, direction or head (k per target in memory, whatever the dataset's size).")
    {
        Arguments.Add(Model);
        foreach (var o in new Option[] { Data, Neuron, Head, HeadMetric, Direction, K, BatchSize, MaxExamples, MaxLength, Before, After, NoBos, Html, Quiet, HookMap, Output, Device, Json })
            Options.Add(o);
        SetAction(parse => new MaxActCommand(this, parse, console).Execute());
    }

    static Option<string[]> Many(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };
}
