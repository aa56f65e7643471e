using System.CommandLine;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Demo;

/// <summary><c>onnxinterp demo [-o DIR]</c>: what the tool does, on the shipped models, in about a minute.</summary>
public sealed class DemoCommandDefinition : Command
{
    public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder for the report and results (default out/demo).", HelpName = "DIR", DefaultValueFactory = _ => Path.Combine("out", "demo") };
    public Option<string> Models { get; } = new("--models") { Description = "Folder holding the shipped models (default: onnx-models/ found from the current folder or the tool's own folder upwards).", HelpName = "DIR" };
    public Option<Device> Device { get; } = Common.CommonOptions.Device();
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress lines on stderr." };

    public DemoCommandDefinition(CliConsole console)
        : base("demo", "A tour on the shipped models: find and knock out the induction heads of attn-only-2l, then IOI activation patching, direct logit attribution and the logit lens on tiny-gpt2; prints a short summary and writes report.html.")
    {
        foreach (var o in new Option[] { Output, Models, Device, Quiet }) Options.Add(o);
        SetAction(parse => new DemoCommand(this, parse, console).Execute());
    }
}
