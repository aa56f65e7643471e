using OnnxInterp.Cli;
using OnnxInterp.Onnx;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Issue #14 item 5: no output path may be a file the verb reads (the model, its side files, a feed, the hook map), also
/// through links; rewrite reads side files only inside the model's folder and within their bytes, never reuses a side
/// file it did not write, and leaves nothing behind when it fails. Every test checks that each file in the scratch
/// folder kept its bytes, and that no file appeared that the command did not report.
/// </summary>
public class UserFileSafetyTests
{
    [ToyModelFact("attn-only-2l.onnx")]
    public void Heads_html_naming_the_model_is_refused()
    {
        using var scratch = new CliScratch();
        var model = scratch["attn.onnx"];
        File.Copy(HookTestSupport.Toy("attn-only-2l.onnx")!, model);
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Usage, ["--html", "is the input model"], "heads", model, "--html", model, "--sequences", "1", "--device", "cpu"));
    }

    [Theory]
    [InlineData("rewrite", "--expose", "y")]
    [InlineData("cache", "--input", "x=FEED", "--expose", "y")]
    [InlineData("run", "--input", "x=FEED")]
    public void An_output_naming_the_models_external_data_file_is_refused(string verb, params string[] options)
    {
        using var scratch = new CliScratch();
        File.WriteAllBytes(scratch["w.bin"], CraftedModels.WeightBytes);
        var model = CraftedModels.ExternalWeights(scratch["m.onnx"], "w.bin");
        var feed = scratch.Write("x.json", """{"shape":[1,3],"data":[1,2,3]}""");
        string[] args = [verb, model, .. options.Select(o => o.Replace("FEED", feed)), "-o", scratch["w.bin"], "--device", "cpu"];
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Usage, ["external-data file 'w.bin'", "never overwrites"], args));
    }

    [Fact]
    public void Run_output_naming_its_own_feed_file_is_refused()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.FixedShapeModel(scratch["fixed.onnx"]);
        var feed = scratch.Write("x.safetensors", "placeholder: refused before it is read");
        var json = scratch.Write("x.json", """{"shape":[1,3],"data":[1,2,3]}""");
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Usage, ["feed file of --input x"], "run", model, "--input", $"x={json}", "-o", json, "--device", "cpu"));
        Assert.True(File.Exists(feed));
    }

    [Fact]
    public void A_hook_map_file_is_never_an_output()
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var map = scratch.Write("map.json", """{"config": {}, "hooks": {}}""");
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Usage, ["hook-map file"], "rewrite", model, "--expose", "resid", "--hook-map", map, "-o", map, "--device", "cpu"));
    }

    [Fact]
    public void A_hard_link_or_a_linked_folder_to_the_model_is_refused_as_an_output()
    {
        if (!OperatingSystem.IsLinux()) return; // hard links and inode identity: Linux only
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        var hard = scratch["hard.onnx"];
        Assert.Equal(0, System.Diagnostics.Process.Start("ln", [model, hard])!.WaitForExitThen());
        var linkedFolder = Directory.CreateSymbolicLink(scratch["alias"], scratch.Folder).FullName;
        Unchanged(scratch, () =>
        {
            CliHarness.Fails(ExitCodes.Usage, ["is the input model"], "rewrite", model, "--expose", "resid", "-o", hard, "--device", "cpu");
            CliHarness.Fails(ExitCodes.Usage, ["is the input model"], "cache", model, "--tokens", "1", "--expose", "resid", "-o", Path.Combine(linkedFolder, "tiny.onnx"), "--device", "cpu");
        });
    }

    [Theory]
    [InlineData("run", "--tokens", "1")]
    [InlineData("cache", "--tokens", "1", "--expose", "resid")]
    [InlineData("rewrite", "--expose", "resid")]
    public void An_empty_output_path_is_a_usage_error(string verb, params string[] options)
    {
        using var scratch = new CliScratch();
        var model = CliTestModels.TokenModel(scratch["tiny.onnx"], vocab: 300, dModel: 4);
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Usage, ["-o is empty"], [verb, model, .. options, "-o", "", "--device", "cpu"]));
    }

    [ToyModelFact("attn-only-2l.onnx")]
    public void An_empty_report_folder_is_a_usage_error()
    {
        using var scratch = new CliScratch();
        CliHarness.Fails(ExitCodes.Usage, ["-o is empty"], "heads", HookTestSupport.Toy("attn-only-2l.onnx")!, "-o", "", "--sequences", "1", "--device", "cpu");
    }

    /// <summary>Side-file layouts rewrite must refuse, each with its key words; the output folder must stay empty.</summary>
    [Theory]
    [InlineData("absolute", "not a path relative to the model's folder")]
    [InlineData("parent", "points outside the model folder")]
    [InlineData("link-out", "through a symbolic link")]
    [InlineData("short", "that file has 4 bytes")]
    [InlineData("offset", "reads bytes 100..112")]
    [InlineData("length", "needs 12 bytes")]
    public void Rewrite_refuses_side_files_outside_the_folder_or_short_of_their_bytes(string layout, string keyWord)
    {
        using var scratch = new CliScratch();
        using var elsewhere = new CliScratch();
        var secret = WriteBytes(elsewhere["secret.bin"], CraftedModels.WeightBytes);
        File.WriteAllBytes(scratch["w.bin"], CraftedModels.WeightBytes);
        File.WriteAllBytes(scratch["short.bin"], new byte[4]);
        if (!OperatingSystem.IsWindows()) File.CreateSymbolicLink(scratch["link.bin"], secret);
        else if (layout == "link-out") return;
        var model = layout switch
        {
            "absolute" => CraftedModels.ExternalWeights(scratch["m.onnx"], secret),
            "parent" => CraftedModels.ExternalWeights(scratch["m.onnx"], Path.GetRelativePath(scratch.Folder, secret)),
            "link-out" => CraftedModels.ExternalWeights(scratch["m.onnx"], "link.bin"),
            "short" => CraftedModels.ExternalWeights(scratch["m.onnx"], "short.bin"),
            "offset" => CraftedModels.ExternalWeights(scratch["m.onnx"], "w.bin", offset: 100),
            _ => CraftedModels.ExternalWeights(scratch["m.onnx"], "w.bin", length: 8),
        };
        var output = Directory.CreateDirectory(scratch["out"]).FullName;
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Failure, [keyWord], "rewrite", model, "--expose", "y", "-o", Path.Combine(output, "r.onnx"), "--device", "cpu"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void Rewrite_never_reuses_a_different_side_file_already_in_the_output_folder()
    {
        using var scratch = new CliScratch();
        File.WriteAllBytes(scratch["w.bin"], CraftedModels.WeightBytes);
        var model = CraftedModels.ExternalWeights(scratch["m.onnx"], "w.bin");
        var output = Directory.CreateDirectory(scratch["out"]).FullName;
        var stale = WriteBytes(Path.Combine(output, "w.bin"), [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Failure, ["already there", "never overwrites"], "rewrite", model, "--expose", "y", "-o", Path.Combine(output, "r.onnx"), "--device", "cpu"));
        Assert.Equal(["w.bin"], Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName));

        // The same bytes are the same side file: reused, and the copy runs with the weights 0, 1, 2.
        File.WriteAllBytes(stale, CraftedModels.WeightBytes);
        var written = CliHarness.Run("rewrite", model, "--expose", "y", "-o", Path.Combine(output, "r.onnx"), "--device", "cpu");
        Assert.True(written.ExitCode == 0, written.ToString());
        var feed = scratch.Write("x.json", """{"shape":[1,3],"data":[10,20,30]}""");
        var run = CliHarness.Run("run", Path.Combine(output, "r.onnx"), "--input", $"x={feed}", "--json", "--device", "cpu");
        Assert.Contains("[10,21,32]", run.Out.Replace(" ", "").Replace("\n", ""));
    }

    [Fact]
    public void A_side_file_that_is_a_link_inside_the_folder_is_copied_as_a_plain_file()
    {
        if (OperatingSystem.IsWindows()) return;
        using var scratch = new CliScratch();
        Directory.CreateDirectory(scratch["data"]);
        File.WriteAllBytes(scratch["data/real.bin"], CraftedModels.WeightBytes);
        File.CreateSymbolicLink(scratch["w.bin"], scratch["data/real.bin"]);
        var model = CraftedModels.ExternalWeights(scratch["m.onnx"], "w.bin");
        using var other = new CliScratch();
        var result = CliHarness.Run("rewrite", model, "--expose", "y", "-o", other["r.onnx"], "--device", "cpu");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null(new FileInfo(other["w.bin"]).LinkTarget);
        Assert.Equal(CraftedModels.WeightBytes, File.ReadAllBytes(other["w.bin"]));
    }

    [Fact]
    public void A_rewrite_ort_cannot_load_is_not_left_behind_and_exits_1()
    {
        using var scratch = new CliScratch();
        var model = CraftedModels.UnknownOpAfterRelu(scratch["m.onnx"]);
        var output = Directory.CreateDirectory(scratch["out"]).FullName;
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Failure, ["does not load in ONNX Runtime", "NoSuchOperator"], "rewrite", model, "--expose", "h", "-o", Path.Combine(output, "r.onnx"), "--device", "cpu"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public void A_failed_rewrite_into_another_folder_removes_the_side_files_it_copied()
    {
        using var scratch = new CliScratch();
        File.WriteAllBytes(scratch["w.bin"], CraftedModels.WeightBytes);
        var model = CraftedModels.ExternalWeights(scratch["m.onnx"], "w.bin");
        // Make the model unloadable by ORT but readable here: an unknown op after the Add.
        var proto = CliTestModels.Load(model);
        proto.Graph.Node[0].Output[0] = "sum";
        var mystery = Support.TinyGraphs.NodeOf("NoSuchOperator", "mystery", ["sum"], ["y"]);
        proto.Graph.Node.Add(mystery);
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        var output = Directory.CreateDirectory(scratch["out"]).FullName;
        Unchanged(scratch, () => CliHarness.Fails(ExitCodes.Failure, ["does not load"], "rewrite", model, "--expose", "sum", "-o", Path.Combine(output, "r.onnx"), "--device", "cpu"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("run")]
    [InlineData("rewrite")]
    public async Task A_fifo_or_a_device_as_the_model_is_refused_without_blocking(string verb)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var scratch = new CliScratch();
        var fifo = scratch["pipe.onnx"];
        Assert.Equal(0, System.Diagnostics.Process.Start("mkfifo", [fifo])!.WaitForExitThen());
        foreach (var model in new[] { fifo, "/dev/zero" })
        {
            string[] args = verb switch
            {
                "run" => ["run", model, "--tokens", "1", "--device", "cpu"],
                "rewrite" => ["rewrite", model, "--expose", "y", "-o", scratch["r.onnx"], "--device", "cpu"],
                _ => ["inspect", model],
            };
            // A FIFO with no writer blocks an open() forever: give the command 30 s, then fail instead of hanging.
            await Task.Run(() => CliHarness.Fails(ExitCodes.Failure, ["not a regular file"], args)).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    static string WriteBytes(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Runs <paramref name="action"/> and checks every file under the scratch folder kept its bytes and no file appeared or vanished.</summary>
    internal static void Unchanged(CliScratch scratch, Action action)
    {
        var before = Snapshot(scratch.Folder);
        action();
        Assert.Equal(before, Snapshot(scratch.Folder));
    }

    static SortedDictionary<string, string> Snapshot(string folder) => new(
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => new FileInfo(f).LinkTarget is null && !FileIdentity.IsSpecialFile(f))
            .ToDictionary(f => Path.GetRelativePath(folder, f), CliHarness.Hash), StringComparer.Ordinal);
}

static class TestFileExtensions
{
    public static int WaitForExitThen(this System.Diagnostics.Process process) { process.WaitForExit(); return process.ExitCode; }
}
