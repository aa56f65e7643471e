using System.CommandLine;
using OnnxInterp.Cli.Experiments;

namespace OnnxInterp.Cli.Commands.Help;

/// <summary><c>onnxinterp version</c>: the version, the commit it was built from, and the runtime (as <c>--version</c>, with more).</summary>
public sealed class VersionCommandDefinition : Command
{
    public VersionCommandDefinition(CliConsole console)
        : base("version", "Show the tool's version, the git commit it was built from, and the .NET runtime.")
    {
        SetAction(_ =>
        {
            console.Out.WriteLine($"onnxinterp {ToolVersion.Version}{(ToolVersion.Commit is { } c ? $" (commit {c})" : "")}");
            console.Out.WriteLine($".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
            return ExitCodes.Success;
        });
    }
}
