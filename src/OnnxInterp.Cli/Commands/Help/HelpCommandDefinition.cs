using System.CommandLine;

namespace OnnxInterp.Cli.Commands.Help;

/// <summary><c>onnxinterp help [VERB]</c>: the same as <c>onnxinterp [VERB] --help</c>, for people who type help first.</summary>
public sealed class HelpCommandDefinition : Command
{
    public Argument<string?> Verb { get; } = new("VERB") { Description = "The verb to explain; without it, the list of verbs.", Arity = ArgumentArity.ZeroOrOne };

    public HelpCommandDefinition(CliConsole console)
        : base("help", "Show the list of verbs, or one verb's options and example.")
    {
        Arguments.Add(Verb);
        SetAction(parse =>
        {
            var root = (RootCommand)Parents.First();
            var verb = parse.GetValue(Verb);
            if (verb is not null && root.Subcommands.All(c => c.Name != verb))
                throw new UsageException($"'{verb}' is not a verb{(VerbSuggestion.Closest(verb, root) is { } close ? $"; did you mean {close}?" : ".")} Run `onnxinterp help` for the list.");
            return root.Parse(verb is null ? ["--help"] : [verb, "--help"])
                .Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
        });
    }
}
