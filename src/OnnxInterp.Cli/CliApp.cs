using System.CommandLine;
using System.CommandLine.Help;
using OnnxInterp.Cli.Commands.Attribute;
using OnnxInterp.Cli.Commands.Ablate;
using OnnxInterp.Cli.Commands.Cache;
using OnnxInterp.Cli.Commands.Fourier;
using OnnxInterp.Cli.Commands.Generate;
using OnnxInterp.Cli.Commands.Heads;
using OnnxInterp.Cli.Commands.Inspect;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.MaxAct;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Commands.Rewrite;
using OnnxInterp.Cli.Commands.Run;
using OnnxInterp.Cli.Commands.SteerVector;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli;

/// <summary>
/// The <c>onnxinterp</c> entry point, shared by Program and the tests: parses, runs one verb, and turns every
/// failure into one line on stderr with exit code 1 (failure) or 2 (usage), never a stack trace.
/// </summary>
public static class CliApp
{
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var console = new CliConsole(output, error);
        try
        {
            NativeLogging.Silence();
            var parse = BuildRoot(console).Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
                return ReportParseErrors(parse, error);
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return ErrorReport.Write(e, error);
        }
    }

    public static RootCommand BuildRoot(CliConsole console)
    {
        var root = new RootCommand("onnxinterp: mechanistic interpretability on exported ONNX models (expose, cache and patch intermediate tensors).")
        {
            new InspectCommandDefinition(console),
            new RunCommandDefinition(console),
            new CacheCommandDefinition(console),
            new RewriteCommandDefinition(console),
            new PatchCommandDefinition(console),
            new AblateCommandDefinition(console),
            new LensCommandDefinition(console),
            new AttributeCommandDefinition(console),
            new HeadsCommandDefinition(console),
            new MaxActCommandDefinition(console),
            new FourierCommandDefinition(console),
            new GenerateCommandDefinition(console),
            new SteerVectorCommandDefinition(console),
        };
        root.HelpName = "onnxinterp"; // help says onnxinterp even when hosted by dotnet run or a test runner
        return root;
    }

    /// <summary>One line naming the problems and pointing at --help, instead of the library's full help dump.</summary>
    static int ReportParseErrors(ParseResult parse, TextWriter error)
    {
        var problems = string.Join(" ", parse.Errors.Select(e => e.Message.Trim()).Distinct().Select(m => m.EndsWith('.') ? m : m + "."));
        var verb = parse.CommandResult.Command is RootCommand ? "" : parse.CommandResult.Command.Name + " ";
        error.WriteLine($"error: {problems} Run `onnxinterp {verb}--help` for usage.");
        return ExitCodes.Usage;
    }
}
