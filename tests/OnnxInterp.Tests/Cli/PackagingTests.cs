using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Cli;

/// <summary>A fact that packs the tool packages (about 430 MB for Linux and Windows, a minute or more), so it runs only when ONNXINTERP_PACKAGE_TESTS=1.</summary>
public sealed class PackagingFactAttribute : FactAttribute
{
    public PackagingFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ONNXINTERP_PACKAGE_TESTS") != "1")
            Skip = "packing the tool (a package per platform with ONNX Runtime's CUDA libraries) takes minutes; set ONNXINTERP_PACKAGE_TESTS=1 to run it (after a Release build).";
    }
}

/// <summary>The README's packaging commands: the tool packs, installs into a tool path and runs; the library packs with its XML docs and metadata.</summary>
public sealed class PackagingTests
{
    [PackagingFact]
    public void The_tool_installs_into_a_tool_path_and_runs_and_the_library_carries_its_docs()
    {
        using var scratch = new CliScratch();
        var packages = scratch["packages"];
        // The tool packs one package per platform (each publishes for its runtime), so it is packed as the README does, with a build.
        Expect(Run("dotnet", TestPaths.RepoRoot, ["pack", "src/OnnxInterp.Cli", "-c", "Release", "-o", packages]));
        Expect(Run("dotnet", TestPaths.RepoRoot, ["pack", "src/OnnxInterp.Core", "-c", "Release", "--no-build", "-o", packages]));
        Expect(Run("dotnet", TestPaths.RepoRoot, ["tool", "install", "--tool-path", scratch["tools"], "--add-source", packages, "OnnxInterp.Cli"]));
        // The Linux package leaves out ONNX Runtime's Windows DLLs (CUDA provider included): about half the size of one package for all.
        using (var linux = ZipFile.OpenRead(Directory.GetFiles(packages, "OnnxInterp.Cli.linux-x64.*.nupkg").Single()))
        {
            Assert.Contains(linux.Entries, e => e.Name == "libonnxruntime_providers_cuda.so");
            Assert.DoesNotContain(linux.Entries, e => e.Name.EndsWith(".dll", StringComparison.Ordinal) && e.Name.StartsWith("onnxruntime", StringComparison.Ordinal));
        }
        Assert.Single(Directory.GetFiles(packages, "OnnxInterp.Cli.win-x64.*.nupkg"));

        var (code, output) = Run(Path.Combine(scratch["tools"], OperatingSystem.IsWindows() ? "onnxinterp.exe" : "onnxinterp"), scratch.Folder, ["--version"]);
        Assert.True(code == 0, output);
        Assert.Equal(OnnxInterp.Cli.Experiments.ToolVersion.Full, output.Trim());

        using var library = ZipFile.OpenRead(Directory.GetFiles(packages, "OnnxInterp.0*.nupkg").Single());
        Assert.Contains(library.Entries, e => e.FullName == "lib/net10.0/OnnxInterp.Core.xml");
        var nuspec = XDocument.Load(library.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Field(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal("OnnxInterp", Field("id"));
        Assert.Contains("ONNX", Field("description"));
        Assert.Equal("README.md", Field("readme"));
    }

    static void Expect((int Code, string Output) result) => Assert.True(result.Code == 0, result.Output);

    static (int Code, string Output) Run(string program, string folder, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}
