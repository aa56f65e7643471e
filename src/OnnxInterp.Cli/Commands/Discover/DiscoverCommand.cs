using System.CommandLine;
using System.Diagnostics;
using System.Text;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Commands.Patch;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Progress;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.Discover;

/// <summary>Runs ACDC with progress on stderr and writes the kept edges as JSON and Graphviz DOT (PNG when dot is installed).</summary>
public sealed class DiscoverCommand(DiscoverCommandDefinition d, ParseResult parse, CliConsole console)
{
    public int Execute()
    {
        d.Prompts.CheckOneKind(parse);
        int rowsPerRun = parse.GetValue(d.RowsPerRun);
        if (rowsPerRun < 1) throw new UsageException($"--rows-per-run must be at least 1, not {rowsPerRun}.");
        var metric = MetricNames.Parse(parse.GetValue(d.Metric) ?? "kl");
        if (metric is not (MetricKind.Kl or MetricKind.LogitDiff)) throw new UsageException("--metric must be kl or logit-diff for discover.");
        double threshold = parse.GetValue(d.Threshold);
        if (!(threshold >= 0)) throw new UsageException($"--threshold must be zero or more, not {threshold}.");
        var output = parse.GetValue(d.Output);
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var modelPath = parse.GetRequiredValue(d.Model);
        var device = parse.GetValue(d.Device);
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        var pairs = d.Prompts.Read(parse, model, metric);

        DiscoveryResult result;
        try
        {
            result = EngineProgress.Run(console, parse.GetValue(d.Quiet), "discover", "edges tested", progress =>
                CircuitDiscovery.Run(model, new DiscoveryRequest(pairs, threshold, metric), new InterventionOptions(rowsPerRun, device, Log: console.Notice), progress));
        }
        catch (Exception e) when (e is ArgumentException or HookMapException)
        {
            throw new UsageException(e.Message);
        }

        var report = DiscoverOutput.Of(Path.GetFullPath(modelPath), device.ToString().ToLowerInvariant(), model, pairs, result);
        if (folder is not null)
        {
            var files = new List<string> { ReportFiles.WriteText(folder, "circuit.dot", Dot(result)) };
            if (GraphvizPng(Path.Combine(folder, "circuit.dot"), Path.Combine(folder, "circuit.png"))) files.Add(Path.Combine(folder, "circuit.png"));
            files.Add(Path.Combine(folder, "discover.json"));
            report = report with { Files = files };
            ReportFiles.WriteJson(folder, "discover", report);
        }
        if (parse.GetValue(d.Json)) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    /// <summary>The kept edges as a Graphviz digraph, senders to receivers (q/k/v inputs drawn as their head).</summary>
    static string Dot(DiscoveryResult result)
    {
        var text = new StringBuilder("digraph circuit {\n  rankdir=BT;\n  node [shape=box, style=rounded];\n");
        foreach (var e in result.Kept)
        {
            var parts = e.Receiver.Name.Split('_');
            var label = parts.Length == 2 ? $" [label=\"{parts[1]}\"]" : "";
            text.Append($"  \"{e.Sender.Name}\" -> \"{parts[0]}\"{label};\n");
        }
        return text.Append("}\n").ToString();
    }

    /// <summary>Renders the DOT file with Graphviz when its <c>dot</c> command is installed; false otherwise.</summary>
    static bool GraphvizPng(string dot, string png)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dot", ["-Tpng", dot, "-o", png]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (process is null) return false;
            process.WaitForExit(30_000);
            return process.HasExited && process.ExitCode == 0 && File.Exists(png);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // dot is not installed
        }
    }

    void WriteText(DiscoverOutput r)
    {
        var w = console.Out;
        w.WriteLine($"ACDC, {r.Pairs} pair{(r.Pairs == 1 ? "" : "s")}, metric {r.Metric}, threshold {r.Threshold}: kept {r.KeptEdges} of {r.TotalEdges} edges");
        w.WriteLine($"metric: full model {r.Full:G5}, circuit {r.Circuit:G5}, corrupted {r.Corrupted:G5}; {r.Plans} plans, {r.Rows} batch rows, {r.Seconds:F1} s");
        w.WriteLine($"heads in the circuit: {string.Join(", ", r.Heads)}");
        foreach (var e in r.Kept) w.WriteLine($"  {e.Sender} -> {e.Receiver}  (removing it: {e.Harm:G3})");
        if (r.Files is { } files) foreach (var f in files) w.WriteLine($"wrote {f}");
    }
}
