using System.Text;
using System.Text.RegularExpressions;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// The command lines in README.md's code blocks: <c>onnxinterp ...</c> and <c>dotnet run --project src/OnnxInterp.Cli -c Release -- ...</c>
/// (both the same tool), split into arguments as a POSIX shell would (quotes, backslash line continuations).
/// </summary>
public static partial class ReadmeCommands
{
    public const string DotnetRun = "dotnet run --project src/OnnxInterp.Cli -c Release --";

    public static IReadOnlyList<string[]> Read(string readme)
    {
        var commands = new List<string[]>();
        foreach (Match block in CodeBlock().Matches(readme))
        {
            var text = block.Groups[1].Value.Replace("\\\n", " ");
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                string? rest = line.StartsWith(DotnetRun + " ", StringComparison.Ordinal) ? line[(DotnetRun.Length + 1)..]
                    : line.StartsWith("onnxinterp ", StringComparison.Ordinal) ? line["onnxinterp ".Length..] : null;
                if (rest is not null) commands.Add(Split(rest));
            }
        }
        return commands;
    }

    /// <summary>Shell words: single quotes literal, double quotes with \" and \\ escapes, whitespace separates; a # word starts a comment.</summary>
    public static string[] Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else if (c == '#' && !inWord) break;
            else if (c == '\'')
            {
                int end = line.IndexOf('\'', i + 1);
                word.Append(line, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == '"')
            {
                for (i++; line[i] != '"'; i++)
                    word.Append(line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' ? line[++i] : line[i]);
                inWord = true;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord) words.Add(word.ToString());
        return [.. words];
    }

    [GeneratedRegex(@"```[ \t]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
