using System.Security.Cryptography;
using System.Text.Json;
using OnnxInterp.Cli;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Runs onnxinterp through the same entry point Program uses, with its own writers, so test classes running in
/// parallel never share the process's console.
/// </summary>
public static class CliHarness
{
    public static CliResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts the failure contract: the exit code, one error line holding every key word, no stack trace.</summary>
    public static CliResult Fails(int expectedCode, string[] keyWords, params string[] args)
    {
        var result = Run(args);
        Assert.True(result.ExitCode == expectedCode, $"expected exit {expectedCode}: {result}");
        Assert.False(result.HasStackTrace, result.ToString());
        var errorLine = Assert.Single(result.ErrorLines, l => !l.StartsWith("CUDA is not available"));
        Assert.StartsWith("error: ", errorLine);
        foreach (var word in keyWords)
            Assert.True(errorLine.Contains(word, StringComparison.OrdinalIgnoreCase), $"error line lacks '{word}': {errorLine}");
        return result;
    }

    /// <summary>Runs <c>patch MODEL --ioi 4 --sweep resid_pre --json</c> and returns the normalised grid, row by row.</summary>
    public static double[] IoiResidPreSweep(string model)
    {
        var result = Run("patch", model, "--ioi", "4", "--sweep", "resid_pre", "--device", "cpu", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        return [.. json.RootElement.GetProperty("sweeps")[0].GetProperty("normalised").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(x => x.GetDouble())];
    }

    public static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
