using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Inspect;

/// <summary><c>onnxinterp inspect MODEL</c>: what the model declares, what it really computes, and what can be exposed.</summary>
public sealed class InspectCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<Device> Device { get; } = CommonOptions.Device();

    public Option<bool> NoProbe { get; } = new("--no-probe")
    {
        Description = "Do not run the model to measure tensor types; show only what the file declares (for models ONNX Runtime cannot run here).",
    };

    public Option<int> List { get; } = new("--list")
    {
        Description = "How many exposable tensors the text output lists (0 for all); --json always lists all.",
        HelpName = "N",
        DefaultValueFactory = _ => 20,
    };

    public Option<string> HookMap { get; } = CommonOptions.HookMap();

    public Option<bool> Weights { get; } = new("--weights")
    {
        Description = "Also list the recognised weights: TransformerLens name and shape, the initializer each comes from, and how it was derived (fused q/k/v columns, transposed storage, tied embeddings).",
    };

    public InspectCommandDefinition(CliConsole console)
        : base("inspect", "Show a model's inputs and outputs (declared and measured shapes), format, operators, weights, and the tensors you can expose.")
    {
        Arguments.Add(Model);
        Options.Add(Json);
        Options.Add(Device);
        Options.Add(NoProbe);
        Options.Add(List);
        Options.Add(HookMap);
        Options.Add(Weights);
        SetAction(parse => new InspectCommand(this, parse, console).Execute());
    }
}
