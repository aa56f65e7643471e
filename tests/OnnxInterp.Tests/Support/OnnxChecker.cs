using System.Diagnostics;

namespace OnnxInterp.Tests.Support;

/// <summary>
/// Runs <c>onnx.checker.check_model(model, full_check=True)</c> through Debian's system python3 with python3-onnx (an
/// independent implementation of the ONNX spec). The model is loaded first and the loaded proto is checked: onnx 1.12's
/// check_model(PATH) writes the shape-inferred model back over PATH.
/// </summary>
public static class OnnxChecker
{
    const string Python = "/usr/bin/python3";

    const string Script = """
        import sys, onnx
        from onnx import checker
        model = onnx.load(sys.argv[1])
        try:
            checker.check_model(model, full_check=True)
        except Exception as e:
            print(str(e).replace("\n", " ")[:2000]); sys.exit(1)
        """;

    static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} is absent";
        var (code, output) = Run("-c", "import onnx, onnx.checker");
        return code == 0 ? null : $"python3-onnx is not installed (apt-get install python3-onnx): {output.Trim()}";
    });

    /// <summary>Why the checker cannot run here, or null when it can.</summary>
    public static string? Unavailable => Missing.Value;

    /// <summary>Null when the file passes the full check, else the checker's message.</summary>
    public static string? Problems(string modelPath)
    {
        var (code, output) = Run("-c", Script, modelPath);
        return code == 0 ? null : output.Trim();
    }

    static (int Code, string Output) Run(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(Python, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}

/// <summary>A theory that needs <see cref="OnnxChecker"/>, skipped with the reason where python3-onnx is absent.</summary>
public sealed class OnnxCheckerTheoryAttribute : TheoryAttribute
{
    public OnnxCheckerTheoryAttribute()
    {
        if (OnnxChecker.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>A fact that needs <see cref="OnnxChecker"/>, skipped with the reason where python3-onnx is absent.</summary>
public sealed class OnnxCheckerFactAttribute : FactAttribute
{
    public OnnxCheckerFactAttribute()
    {
        if (OnnxChecker.Unavailable is { } reason) Skip = reason;
    }
}
