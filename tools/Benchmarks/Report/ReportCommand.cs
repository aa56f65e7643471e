namespace OnnxInterp.Benchmarks.Report;

/// <summary>
/// <c>Benchmarks report FILE.json... [-o BENCHMARKS.md] [--notes NOTES.md]</c>: joins the result files of every tool
/// (onnxinterp-ort, pytorch-eager, torchsharp-eager; any may be missing) into the markdown report, on stdout without
/// <c>-o</c>, with the hand-written notes file (if given) at the end. Files that do not exist are skipped with a note, so
/// a glob over a partly filled folder works.
/// </summary>
public static class ReportCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        string? output = null, notes = null;
        var files = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is "-o" or "--output")
            {
                if (i + 1 >= args.Count) throw new ArgumentException("report: -o needs a file name.");
                output = args[++i];
            }
            else if (args[i] == "--notes")
            {
                if (i + 1 >= args.Count) throw new ArgumentException("report: --notes needs a file name.");
                notes = args[++i];
            }
            else files.Add(args[i]);
        }
        foreach (var missing in files.Where(f => !File.Exists(f))) Console.Error.WriteLine($"report: {missing} does not exist; that tool counts as not measured.");
        var inputs = ReportInputs.Load(files.Where(File.Exists));
        var text = BenchmarkReport.Write(inputs);
        if (notes is not null && File.Exists(notes)) text += "\n" + File.ReadAllText(notes);
        if (output is null) Console.Write(text);
        else
        {
            File.WriteAllText(output, text);
            Console.WriteLine($"wrote {output} from {inputs.Runs.Count} result file(s): {string.Join(", ", inputs.Runs.Select(r => r.Label))}");
        }
        return 0;
    }
}
