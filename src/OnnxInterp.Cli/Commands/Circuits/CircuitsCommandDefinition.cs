using System.CommandLine;
using OnnxInterp.Analysis.Circuits;
using OnnxInterp.Cli.Common;

namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary><c>onnxinterp circuits MODEL --qk|--ov|--composition|--copying</c>: the Framework's weight circuits, read from the file.</summary>
public sealed class CircuitsCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<bool> Qk { get; } = new("--qk") { Description = "Each head's QK circuit W_E W_Q W_Kᵀ W_Eᵀ (token x token): its norm, largest singular values, and the top key tokens per query token." };
    public Option<bool> Positional { get; } = new("--positional") { Description = "With --qk: also the positional QK circuit W_pos W_Q W_Kᵀ W_posᵀ and the key position each query position favours most." };
    public Option<bool> Ov { get; } = new("--ov") { Description = "Each head's OV circuit W_E W_V W_O W_U (token x token): its norm, singular values, how often a token's top output is itself, and the top output tokens per input token." };
    public Option<bool> Composition { get; } = new("--composition") { Description = "Q-, K- and V-composition scores between every pair of heads in different layers, beside the score of random heads of the same shapes (one head x head grid per kind)." };
    public Option<bool> Copying { get; } = new("--copying") { Description = "Each head's copying score: the share of its OV circuit's eigenvalue mass with a positive real part." };
    public Option<string> Heads { get; } = new("--heads") { Description = "Heads for --qk, --ov and --copying as LxHy, comma-separated (L1H0,L1H2; L1H* for a whole layer). Default: every head.", HelpName = "LIST" };
    public Option<string> Tokens { get; } = new("--tokens") { Description = "Rows (token ids, comma-separated) whose top entries --qk and --ov list. Default: the first --rows tokens.", HelpName = "IDS" };
    public Option<int> Rows { get; } = new("--rows") { Description = "Without --tokens: how many tokens, from id 0, to list top entries for.", HelpName = "N", DefaultValueFactory = _ => 8 };
    public Option<int> Top { get; } = new("--top") { Description = "Top entries listed per token.", HelpName = "K", DefaultValueFactory = _ => 5 };
    public Option<bool> FoldLn { get; } = new("--fold-ln") { Description = "Fold each LayerNorm's centring and weight into the matrices that read it (W_Q, W_K, W_V, W_U); the output says what was folded." };
    public Option<int> Samples { get; } = new("--samples") { Description = "Random head pairs drawn for the composition baseline.", HelpName = "N", DefaultValueFactory = _ => CompositionBaseline.DefaultSamples };
    public Option<string> HookMap { get; } = CommonOptions.HookMap();
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for circuits.json, a CSV per analysis, and PNG heatmaps (composition-q/k/v.png, copying.png).", HelpName = "DIR" };
    public Option<bool> Json { get; } = CommonOptions.Json();

    public CircuitsCommandDefinition(CliConsole console)
        : base("circuits", "Weight circuits of every attention head, read straight from the model's initializers (no forward pass): QK and OV circuits, copying scores, and Q/K/V composition between heads against a random baseline (A Mathematical Framework for Transformer Circuits).")
    {
        Arguments.Add(Model);
        foreach (var o in new Option[] { Qk, Positional, Ov, Composition, Copying, Heads, Tokens, Rows, Top, FoldLn, Samples, HookMap, Output, Json })
            Options.Add(o);
        SetAction(parse => new CircuitsCommand(this, parse, console).Execute());
    }
}
