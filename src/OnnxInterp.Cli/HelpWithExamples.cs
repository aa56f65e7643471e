using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace OnnxInterp.Cli;

/// <summary>System.CommandLine's help followed by the verb's example (<see cref="VerbExamples"/>), so every --help ends with one.</summary>
public sealed class HelpWithExamples(HelpAction inner) : SynchronousCommandLineAction
{
    public static void Install(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
            if (help.Action is HelpAction action) help.Action = new HelpWithExamples(action);
    }

    public override int Invoke(ParseResult parse)
    {
        int code = inner.Invoke(parse);
        var command = parse.CommandResult.Command;
        if (VerbExamples.ByVerb.TryGetValue(command is RootCommand ? "onnxinterp" : command.Name, out var lines))
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(lines.Length == 1 ? "Example:" : "Examples:");
            foreach (var line in lines) output.WriteLine("  " + line);
            output.WriteLine();
        }
        return code;
    }
}
