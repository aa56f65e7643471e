using System.Text.RegularExpressions;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli;

/// <summary>
/// Turns an exception into one line on stderr and an exit code. Core exceptions already say what went wrong
/// and what to do, so the message is printed as is; a stack trace never reaches the user.
/// </summary>
public static partial class ErrorReport
{
    public static int Write(Exception exception, TextWriter error)
    {
        var (code, message) = Classify(exception is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : exception);
        error.WriteLine("error: " + OneLine(message));
        return code;
    }

    public static (int Code, string Message) Classify(Exception e) => e switch
    {
        UsageException or FeedException or UnknownTensorException or UnmatchedPatternException or HookMapException => (ExitCodes.Usage, e.Message),
        FileNotFoundException f when !e.Message.Contains(f.FileName ?? "\0") && f.FileName is not null => (ExitCodes.Failure, $"file not found: {f.FileName}."),
        ExecutionException => (ExitCodes.Failure, OrtMessages.Reword(e.Message)),
        OnnxFormatException or GraphException or IOException or InvalidDataException or UnrecognisedModelException => (ExitCodes.Failure, e.Message),
        UnauthorizedAccessException => (ExitCodes.Failure, $"{e.Message.TrimEnd('.')} (permission denied). Check the file's permissions or choose another path."),
        OperationCanceledException => (ExitCodes.Failure, "cancelled."),
        NotSupportedException => (ExitCodes.Failure, e.Message),
        _ => (ExitCodes.Failure, $"unexpected {e.GetType().Name}: {e.Message} Please report this with the command line that caused it."),
    };

    /// <summary>ONNX Runtime messages span lines; keep them on one so each error is one line.</summary>
    static string OneLine(string message) => Whitespace().Replace(message, " ").Trim();

    [GeneratedRegex(@"\s*[\r\n]+\s*")]
    private static partial Regex Whitespace();
}
