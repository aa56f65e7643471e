using System.Diagnostics;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Every onnxinterp command in README.md runs as written in a fresh clone of the repository (its committed files only:
/// a dataset or model the README uses but git does not hold fails here). The tool runs as the built onnxinterp.dll, which
/// is what <c>dotnet run --project src/OnnxInterp.Cli</c> builds; the README's other command is this test suite.
/// </summary>
public sealed class ReadmeCommandsTests
{
    [Fact]
    public void Readme_splits_commands_as_a_shell_would()
    {
        Assert.Equal(["lens", "m.onnx", "--prompt", "When Mary went", "--answer", " Mary", "--expose", "blocks.*.x"],
            ReadmeCommands.Split("lens m.onnx --prompt \"When Mary went\" --answer \" Mary\" --expose 'blocks.*.x'  # comment"));
        var commands = ReadmeCommands.Read(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")));
        Assert.Contains(commands, c => c is ["demo"]);
        Assert.Contains(commands, c => c.Length > 0 && c[0] == "maxact");
    }

    [Fact]
    public void Every_readme_command_runs_as_written_on_a_fresh_clone()
    {
        using var scratch = new CliScratch();
        var clone = Clone(scratch["clone"]);
        var commands = ReadmeCommands.Read(File.ReadAllText(Path.Combine(clone, "README.md")));
        Assert.True(commands.Count >= 10, $"README.md has only {commands.Count} onnxinterp commands; the parser may have missed some");
        var tool = Path.Combine(AppContext.BaseDirectory, "onnxinterp.dll");
        foreach (var args in commands)
        {
            var (code, output) = RunTool(tool, clone, args);
            Assert.True(code == 0, $"`onnxinterp {string.Join(' ', args)}` exited {code} in a fresh clone:\n{output}");
        }
    }

    /// <summary>A clone of the repository's committed state, or (no git checkout here) a copy of the folders the README reads.</summary>
    static string Clone(string target)
    {
        if (Directory.Exists(Path.Combine(TestPaths.RepoRoot, ".git")) && Run("git", TestPaths.RepoRoot, ["clone", "--quiet", TestPaths.RepoRoot, target]).Code == 0)
            return target;
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(TestPaths.RepoRoot, "README.md"), Path.Combine(target, "README.md"));
        foreach (var folder in new[] { "onnx-models", "data", "docs" })
            CopyFolder(Path.Combine(TestPaths.RepoRoot, folder), Path.Combine(target, folder));
        return target;
    }

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    static (int Code, string Output) RunTool(string tool, string folder, string[] args) => Run("dotnet", folder, [tool, .. args]);

    static (int Code, string Output) Run(string program, string folder, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 180 s");
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
