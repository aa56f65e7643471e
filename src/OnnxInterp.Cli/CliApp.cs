using System.CommandLine;
using System.CommandLine.Help;
using OnnxInterp.Cli.Commands.Attribute;
using OnnxInterp.Cli.Commands.Ablate;
using OnnxInterp.Cli.Commands.Cache;
using OnnxInterp.Cli.Commands.Circuits;
using OnnxInterp.Cli.Commands.Discover;
using OnnxInterp.Cli.Commands.Demo;
using OnnxInterp.Cli.Commands.Experiment;
using OnnxInterp.Cli.Commands.Fourier;
using OnnxInterp.Cli.Commands.Generate;
using OnnxInterp.Cli.Commands.Heads;
using OnnxInterp.Cli.Commands.Help;
using OnnxInterp.Cli.Commands.Inspect;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.MaxAct;
using OnnxInterp.Cli.Commands.PathPatch;
using OnnxInterp.Cli.Commands.Merge;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Commands.Rewrite;
using OnnxInterp.Cli.Commands.Run;
using OnnxInterp.Cli.Commands.Scrub;
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
            if (parse.Errors.Count > 0 && parse.Action is not (HelpAction or HelpWithExamples))
                return ReportParseErrors(parse, error);
            AnswerSpaceWarning.Check(parse, error);
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
            new PathPatchCommandDefinition(console),
            new DiscoverCommandDefinition(console),
            new ScrubCommandDefinition(console),
            new AblateCommandDefinition(console),
            new LensCommandDefinition(console),
            new AttributeCommandDefinition(console),
            new HeadsCommandDefinition(console),
            new MaxActCommandDefinition(console),
            new FourierCommandDefinition(console),
            new CircuitsCommandDefinition(console),
            new ExperimentCommandDefinition(console),
            new MergeCommandDefinition(console),
            new DemoCommandDefinition(console),
            new HelpCommandDefinition(console),
            new VersionCommandDefinition(console),
            new GenerateCommandDefinition(console),
            new SteerVectorCommandDefinition(console),
        };
        root.HelpName = "onnxinterp"; // help says onnxinterp even when hosted by dotnet run or a test runner
        HelpWithExamples.Install(root);
        return root;
    }

    /// <summary>One line naming the problems and pointing at --help, instead of the library's full help dump.</summary>
    static int ReportParseErrors(ParseResult parse, TextWriter error)
    {
        var problems = string.Join(" ", parse.Errors.Select(e => e.Message.Trim()).Distinct().Select(m => m.EndsWith('.') ? m : m + "."));
        var verb = parse.CommandResult.Command is RootCommand ? "" : parse.CommandResult.Command.Name + " ";
        if (parse.CommandResult.Command is RootCommand && parse.Tokens.Count == 0)
        {
            error.WriteLine("error: no command given. Start with `onnxinterp demo`, or run `onnxinterp help` for the list of verbs.");
            return ExitCodes.Usage;
        }
        if (parse.CommandResult.Command is RootCommand root && parse.UnmatchedTokens.FirstOrDefault(t => !t.StartsWith('-')) is { } typed)
        {
            var close = VerbSuggestion.Closest(typed, root);
            error.WriteLine($"error: '{typed}' is not a verb{(close is null ? "" : $"; did you mean {close}?")} Run `onnxinterp help` for the list of verbs.");
            return ExitCodes.Usage;
        }
        error.WriteLine($"error: {problems} Run `onnxinterp {verb}--help` for usage.");
        return ExitCodes.Usage;
    }
}
