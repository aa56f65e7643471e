using System.CommandLine;
using OnnxInterp.Analysis.Fourier;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Fourier;

/// <summary><c>onnxinterp fourier MODEL [--p P]</c>: the Fourier spectrum of the token embedding over 0..p-1.</summary>
public sealed class FourierCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<int?> P { get; } = new("--p") { Description = "The modulus: W_E rows 0..p-1 are the residues (default: the vocabulary minus one, as in the modular-addition model where the last token is '=').", HelpName = "P" };
    public Option<double> KeyRatio { get; } = new("--key-ratio") { Description = "A key frequency's norm is at least this many times the median norm of the non-constant frequencies (the noise floor).", HelpName = "R", DefaultValueFactory = _ => EmbeddingFourier.DefaultKeyRatio };
    public Option<int> TopN { get; } = new("--top") { Description = "How many frequencies to list, largest first.", HelpName = "N", DefaultValueFactory = _ => 10 };
    public Option<bool> Neurons { get; } = new("--neurons") { Description = "Also run the model on every pair (a, b) and report the MLP neurons' spectrum over (a, b), with ReLU's second harmonics told apart from the fundamentals." };
    public Option<bool> Loss { get; } = new("--loss") { Description = "Also run the model on every pair and report the loss with the logits restricted to the embedding's key frequencies and with them excluded (and, as a control, as many other frequencies excluded)." };
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for fourier.json, fourier.csv and fourier.png (a bar chart of the norm per frequency).", HelpName = "DIR" };
    public Option<bool> Json { get; } = CommonOptions.Json();

    public FourierCommandDefinition(CliConsole console)
        : base("fourier", "Fourier spectrum of the token embedding W_E over the residues 0..p-1 (Nanda et al.'s modular addition): norm per frequency and the few key frequencies that stand out from the rest.")
    {
        Arguments.Add(Model);
        foreach (var o in new Option[] { P, KeyRatio, TopN, Neurons, Loss, Device, HookMap, Output, Json }) Options.Add(o);
        SetAction(parse => new FourierCommand(this, parse, console).Execute());
    }
}
