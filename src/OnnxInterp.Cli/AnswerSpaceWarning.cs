using System.CommandLine;
using System.CommandLine.Parsing;

namespace OnnxInterp.Cli;

/// <summary>
/// GPT-2 spells a word after another word with its leading space (" Mary" and "Mary" are different tokens), so an
/// <c>--answer</c> or <c>--wrong</c> that starts with a letter is usually a mistake; one warning line on stderr says so.
/// </summary>
public static class AnswerSpaceWarning
{
    static readonly string[] TokenOptions = ["--answer", "--wrong"];

    public static void Check(ParseResult parse, TextWriter error)
    {
        foreach (var result in parse.CommandResult.Children.OfType<OptionResult>())
            if (TokenOptions.Contains(result.Option.Name) && result.Tokens.Count > 0 && result.Tokens[0].Value is { Length: > 0 } value && char.IsLetterOrDigit(value[0]))
                error.WriteLine($"warning: {result.Option.Name} \"{value}\" has no leading space; after another word GPT-2's token is \" {value}\" (--answer \" {value}\").");
    }
}
