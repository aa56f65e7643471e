using System.CommandLine;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Common;

/// <summary>Options several verbs share; each call makes a fresh instance because an option belongs to one command.</summary>
public static class CommonOptions
{
    public static Argument<string> Model() => new("MODEL")
    {
        Description = "The .onnx model file. It is only read, never modified.",
    };

    public static Option<Device> Device()
    {
        var option = new Option<Device>("--device")
        {
            Description = "Where ONNX Runtime runs: auto tries CUDA and falls back to CPU (saying so on stderr), cpu never tries CUDA, cuda fails if CUDA cannot be used.",
            HelpName = "auto|cpu|cuda",
            DefaultValueFactory = _ => Runtime.Device.Auto,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "auto";
                if (Enum.TryParse<Device>(text, ignoreCase: true, out var device) && !int.TryParse(text, out _)) return device;
                result.AddError($"--device must be auto, cpu or cuda (got '{text}').");
                return Runtime.Device.Auto;
            },
        };
        return option;
    }

    public static Option<string> HookMap() => new("--hook-map")
    {
        Description = "A JSON hook-map file (docs/hooks.md) naming the hooks of a model the recognisers do not understand.",
        HelpName = "FILE",
    };

    public static Option<bool> NoBos() => new("--no-bos")
    {
        Description = "Do not prefix --prompt with BOS.",
    };

    public static Option<string> LogitsOutput() => new("--logits-output")
    {
        Description = "The graph output the metric reads as logits [batch, pos, vocab], for a model whose hook map has no 'logits' (e.g. a GPT2Model export ending in hidden states). Without it such a model is refused.",
        HelpName = "NAME",
    };

    public static Option<bool> Quiet() => new("--quiet", "-q")
    {
        Description = "No progress display on stderr.",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the result as JSON on stdout (notices still go to stderr).",
    };

    public static Option<string> Output(string description, bool required) => new("--output", "-o")
    {
        Description = description,
        Required = required,
        HelpName = "FILE",
    };
}
