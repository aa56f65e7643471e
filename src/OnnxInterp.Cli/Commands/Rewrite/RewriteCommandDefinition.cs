using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Rewrite;

/// <summary><c>onnxinterp rewrite MODEL --expose PATTERN --patch PATTERN[:zero|fed|rows] -o OUT.onnx</c>: write an instrumented copy.</summary>
public sealed class RewriteCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<bool> EmbedTokenizer { get; } = new("--embed-tokenizer") { Description = "Prepend ONNX Runtime Extensions' GPT-2 tokenizer (and BOS) so the written model takes raw strings as input 'text' [batch] instead of token ids; run it with the Extensions registered." };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();

    public Option<string[]> Expose { get; } = new("--expose", "-e")
    {
        Description = "Tensor name or glob pattern (* any run of characters, ? one character) to add as graph outputs under their own names. Repeatable. Matched after patching, so 'patched:*' exposes patched values.",
        HelpName = "PATTERN",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Patch { get; } = new("--patch", "-p")
    {
        Description = "Put a patch point on the matching tensors: PATTERN:fed (default; feed patch_source:T), PATTERN:zero (zeros), or PATTERN:rows (another batch row, chosen by patch_rows:T). Each adds a bool input patch_mask:T. Repeatable.",
        HelpName = "PATTERN[:zero|fed|rows]",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<int> BatchAxis { get; } = new("--batch-axis")
    {
        Description = "The batch axis of patched tensors (the axis :rows gathers along).",
        HelpName = "AXIS",
        DefaultValueFactory = _ => 0,
    };

    public Option<string> Output { get; } = CommonOptions.Output("The .onnx file to write (atomically; never the input model). External data files are copied beside it.", required: true);

    public RewriteCommandDefinition(CliConsole console)
        : base("rewrite", "Write a copy of the model with tensors exposed as extra outputs and patch points (Where(mask, source, original)) inserted; the input model is never modified.")
    {
        Arguments.Add(Model);
        Options.Add(Expose);
        Options.Add(Patch);
        Options.Add(BatchAxis);
        Options.Add(Output);
        Options.Add(Device);
        Options.Add(Json);
        Options.Add(HookMap);
        Options.Add(EmbedTokenizer);
        SetAction(parse => new RewriteCommand(this, parse, console).Execute());
    }
}
