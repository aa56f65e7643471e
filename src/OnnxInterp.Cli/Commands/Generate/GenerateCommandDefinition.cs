using System.CommandLine;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Generate;

/// <summary><c>onnxinterp generate MODEL --prompt TEXT</c>: continue a prompt, optionally with ablations and steering vectors at every step.</summary>
public sealed class GenerateCommandDefinition : Command
{
    public Argument<string> Model { get; } = CommonOptions.Model();
    public Option<string> Prompt { get; } = AnalysisInputs.PromptOption();
    public Option<string> Tokens { get; } = AnalysisInputs.TokensOption();
    public Option<bool> NoBos { get; } = CommonOptions.NoBos();
    public Option<Device> Device { get; } = CommonOptions.Device();
    public Option<bool> Json { get; } = CommonOptions.Json();
    public Option<string> HookMap { get; } = CommonOptions.HookMap();

    public Option<int> MaxNewTokens { get; } = new("--max-new-tokens", "-n")
    {
        Description = "How many tokens to generate at most (generation stops earlier at end of text). Prompt plus new tokens must fit the context window.",
        HelpName = "N",
        DefaultValueFactory = _ => 20,
    };

    public Option<bool> Greedy { get; } = new("--greedy") { Description = "Always take the most likely token (the default when no sampling option is given)." };
    public Option<double?> Temperature { get; } = new("--temperature") { Description = "Sample from softmax(logits / T).", HelpName = "T" };
    public Option<int?> TopK { get; } = new("--top-k") { Description = "Sample among the K most likely tokens only.", HelpName = "K" };
    public Option<double?> TopP { get; } = new("--top-p") { Description = "Sample among the smallest set of tokens whose probability reaches P (nucleus sampling).", HelpName = "P" };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the sampler: the same seed gives the same tokens.", HelpName = "S", DefaultValueFactory = _ => 0 };

    public Option<string[]> Ablate { get; } = new("--ablate")
    {
        Description = "Ablate a hook at every step: HOOK (all of it) or HOOK:HEADS (heads of a per-head hook, e.g. blocks.1.attn.hook_z:0,2). Repeatable.",
        HelpName = "HOOK[:heads]",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string> AblateMethod { get; } = new("--ablate-method")
    {
        Description = "zero (default) or mean: the hook's mean over the prompt's positions (per head where heads are named).",
        HelpName = "zero|mean",
    };

    public Option<string[]> Steer { get; } = new("--steer")
    {
        Description = "Add a steering vector at every step: HOOK=VECTOR.safetensors (from `onnxinterp steer-vector`; a file with one tensor, or one named HOOK). Repeatable.",
        HelpName = "HOOK=FILE",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<double> Alpha { get; } = new("--alpha") { Description = "Scale of every steering vector (negative steers away).", HelpName = "A", DefaultValueFactory = _ => 1.0 };

    public Option<string> SteerAt { get; } = new("--steer-at")
    {
        Description = "Where steering vectors are added: all positions (default), the prompt's only, or the new tokens' only.",
        HelpName = "all|prompt|new",
    };

    public Option<bool> NoPast { get; } = new("--no-past") { Description = "Recompute the whole sequence at every step even where the graph has past key/values." };

    public GenerateCommandDefinition(CliConsole console)
        : base("generate", "Continue a prompt token by token (past key/values where the graph has them), streaming the text; with --ablate and --steer, interventions apply at every step.")
    {
        Arguments.Add(Model);
        foreach (var option in new Option[] { Prompt, Tokens, NoBos, MaxNewTokens, Greedy, Temperature, TopK, TopP, Seed, Ablate, AblateMethod, Steer, Alpha, SteerAt, NoPast, Device, Json, HookMap })
            Options.Add(option);
        SetAction(parse => new GenerateCommand(this, parse, console).Execute());
    }
}
