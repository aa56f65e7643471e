using System.Text;
using System.Text.RegularExpressions;

namespace OnnxInterp.Runtime;

/// <summary>
/// Rewords ONNX Runtime's exception text for users: no error-code tags, no C++ source paths, line numbers or function
/// signatures, one line, and the node named as "node 'NAME' (Op)" where ORT names one.
/// </summary>
public static partial class OrtMessages
{
    public static string Reword(string message)
    {
        var text = ErrorCode().Replace(message, "");
        text = StatusTag().Replace(text, "");
        text = StripSourceReferences(text);
        text = Signature().Replace(text, "");
        text = Whitespace().Replace(text, " ").Trim();
        text = LoadNode().Replace(text, m => m.Groups["name"].Length == 0 ? $"an unnamed {m.Groups["op"].Value} node" : $"node '{m.Groups["name"].Value}' ({m.Groups["op"].Value})");
        var node = RunningNode().Match(text);
        if (node.Success)
            text = $"{text[..node.Index]}node '{node.Groups["name"].Value}' ({node.Groups["op"].Value}) failed: {text[(node.Index + node.Length)..].Trim()}";
        if (text.Contains("out of data bounds", StringComparison.Ordinal) || text.Contains("out of bounds", StringComparison.Ordinal) && text.Contains("indices", StringComparison.Ordinal))
            text = text.TrimEnd('.') + ". An index fed to the model (a token id, a position) is outside its table; check the ids against the vocabulary and the context window.";
        return text.Length == 0 ? "ONNX Runtime gave no reason." : text;
    }

    /// <summary>Removes each "path/file.cc:123 function(args)" reference ORT puts before the actual reason.</summary>
    static string StripSourceReferences(string text)
    {
        var result = new StringBuilder(text.Length);
        int at = 0;
        foreach (Match m in SourceReference().Matches(text))
        {
            if (m.Index < at) continue;
            result.Append(text, at, m.Index - at);
            at = SkipFunction(text, m.Index + m.Length);
        }
        result.Append(text, at, text.Length - at);
        return result.ToString();
    }

    /// <summary>Skips the function that follows a source reference: a C++ name, with its parenthesised parameter list if it has one.</summary>
    static int SkipFunction(string text, int start)
    {
        int i = start;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or ':' or '~' or '<' or '>' or ',' or '*' or '&')) i++;
        if (i == start) return start;
        if (i < text.Length && text[i] == '(')
        {
            int depth = 0;
            for (; i < text.Length; i++)
            {
                if (text[i] == '(') depth++;
                else if (text[i] == ')' && --depth == 0) { i++; break; }
            }
            while (i + 6 <= text.Length && text.AsSpan(i).TrimStart().StartsWith("const")) i = text.IndexOf("const", i, StringComparison.Ordinal) + 5;
        }
        else if (!text[start..i].Contains("::") && !LooksLikeFunction(text[start..i]))
            return start; // a plain word: part of the reason, keep it
        return i;
    }

    static bool LooksLikeFunction(string word) => word.Length > 1 && char.IsUpper(word[0]) && word.Skip(1).Any(char.IsUpper) && !word.All(char.IsUpper);

    [GeneratedRegex(@"\[ErrorCode:\w+\]\s*")]
    private static partial Regex ErrorCode();

    [GeneratedRegex(@"\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*")]
    private static partial Regex StatusTag();

    [GeneratedRegex(@"(?:[\w./\\-]*[/\\])?[\w.-]+\.(?:cc|cpp|cxx|h|hpp|cu):\d+\s*")]
    private static partial Regex SourceReference();

    [GeneratedRegex(@"Non-zero status code returned while running (?<op>[\w.]+) node\. Name:'(?<name>[^']*)' Status Message:\s*")]
    private static partial Regex RunningNode();

    [GeneratedRegex(@"\bNode \((?<name>[^)]*)\) Op \((?<op>[^)]*)\)")]
    private static partial Regex LoadNode();

    /// <summary>A C++ signature ORT prints without a source reference: "void onnxruntime::Graph::Initialize...(args)".</summary>
    [GeneratedRegex(@"(?:\b[\w:<>*&]+\s+)?\bonnxruntime::[\w:~<>]+\([^()]*\)(?:\s*const)?\s*")]
    private static partial Regex Signature();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
