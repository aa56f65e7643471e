using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.SteerVector;

/// <summary><c>onnxinterp steer-vector MODEL --hook H --positive FILE --negative FILE -o vec.safetensors</c>: a difference-of-means steering vector.</summary>
public sealed class SteerVectorCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<string> Hook { get; } = new("--hook") { Description = "The hook to read (e.g. blocks.1.hook_resid_pre); it needs batch and pos axes.", HelpName = "HOOK", Required = true };
    public Option<string> Positive { get; } = new("--positive") { Description = "Text file, one prompt per line: the behaviour to steer towards.", HelpName = "FILE", Required = true };
    public Option<string> Negative { get; } = new("--negative") { Description = "Text file, one prompt per line: the behaviour to steer away from.", HelpName = "FILE", Required = true };

    public Option<string> Position { get; } = new("--position")
    {
        Description = "Which activation of each prompt: its last position (default) or the mean over its positions.",
        HelpName = "last|mean",
    };

    public Option<bool> NoBos { get; } = CommonOptions.NoBos();
    public Option<string> Output { get; } = CommonOptions.Output("The .safetensors file to write (atomically): one tensor named after the hook, mean(positive) - mean(negative).", required: true);
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<string> HookMap { get; } = CommonOptions.HookMap();

    public SteerVectorCommandDefinition(CliConsole console)
        : base("steer-vector", "Compute a steering vector: the mean activation at a hook over the positive prompts minus that over the negative prompts (for generate --steer).")
    {
        Arguments.Add(Model);
        foreach (var option in new Option[] { Hook, Positive, Negative, Position, NoBos, Output, Device, Json, HookMap })
            Options.Add(option);
        SetAction(parse => new SteerVectorCommand(this, parse, console).Execute());
    }
}
