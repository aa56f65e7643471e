using System.CommandLine;
using OnnxInterp.Analysis.Fourier;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Reports;
using OnnxInterp.Onnx;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Fourier;

/// <summary>Reads W_E from the model file (no session is needed) and reports its spectrum.</summary>
public sealed class FourierCommand
{
    readonly CliConsole console;
    readonly string modelPath;
    readonly string? hookMap, output;
    readonly int? p;
    readonly double keyRatio;
    readonly int top;
    readonly bool json, neurons, loss;
    readonly Device device;

    public FourierCommand(FourierCommandDefinition d, ParseResult parse, CliConsole console)
    {
        this.console = console;
        modelPath = parse.GetRequiredValue(d.Model);
        p = parse.GetValue(d.P);
        keyRatio = parse.GetValue(d.KeyRatio);
        top = parse.GetValue(d.TopN);
        hookMap = parse.GetValue(d.HookMap);
        output = parse.GetValue(d.Output);
        json = parse.GetValue(d.Json);
        neurons = parse.GetValue(d.Neurons);
        loss = parse.GetValue(d.Loss);
        device = parse.GetValue(d.Device);
        if (!(keyRatio > 0)) throw new UsageException($"--key-ratio must be positive, not {keyRatio}.");
        if (top < 1) throw new UsageException($"--top must be at least 1, not {top}.");
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(modelPath, hookMap);
        if (!model.Map.Parameters.ContainsKey("W_E"))
            throw new UsageException("the hook map records no token embedding (W_E) for this model.");
        if (p is { } given && (given < 2 || given > model.Map.DVocab))
            throw new UsageException($"--p {given} must be between 2 and the vocabulary size {model.Map.DVocab}.");
        var spectrum = EmbeddingFourier.Of(model, p, keyRatio);
        var report = new FourierOutput(Path.GetFullPath(modelPath), spectrum.P, spectrum.DModel, keyRatio,
            spectrum.MedianNorm, [.. spectrum.KeyFrequencies.Select(f => f.Frequency)], spectrum.KeyShare, spectrum.Frequencies, null);
        if (neurons || loss) report = FourierModelRun.Add(report, model, spectrum, neurons, loss, device, console.Notice);
        if (folder is not null)
        {
            var files = ReportFiles.WriteTable(folder, "fourier", report, ["frequency", "norm", "fraction"],
                spectrum.Frequencies.Select(f => (IReadOnlyList<object?>)[f.Frequency, f.Norm, f.Fraction])).ToList();
            var png = Path.Combine(folder, "fourier.png");
            var bytes = FourierChart.Png(spectrum);
            AtomicFile.Write(png, s => s.Write(bytes));
            files.Add(png);
            report = report with { Files = files };
        }
        if (json) JsonOutput.Write(console.Out, report);
        else WriteText(report, spectrum);
        return ExitCodes.Success;
    }

    void WriteText(FourierOutput r, FourierSpectrum s)
    {
        var w = console.Out;
        w.WriteLine($"Fourier spectrum of W_E over residues 0..{r.P - 1} (d_model {r.DModel}); constant term {s.Frequencies[0].Fraction:P1} of the squared norm");
        w.WriteLine(r.KeyFrequencies.Count == 0
            ? $"no key frequencies: no norm reaches {r.KeyRatio:0.##}x the median {r.MedianNorm:0.000} (a dense spectrum, as for a random embedding)"
            : $"key frequencies (norm >= {r.KeyRatio:0.##}x the median {r.MedianNorm:0.000}): {string.Join(", ", r.KeyFrequencies)}; together {r.KeyShare:P1} of the non-constant squared norm");
        w.WriteLine($"largest {Math.Min(top, s.Ranked.Count)} frequencies:");
        double cumulative = 0, nonConstant = s.Frequencies.Skip(1).Sum(f => f.Norm * f.Norm);
        foreach (var f in s.Ranked.Take(top))
        {
            cumulative += f.Norm * f.Norm;
            w.WriteLine($"  k = {f.Frequency,3}  norm {f.Norm,9:0.0000}  share {f.Norm * f.Norm / nonConstant,7:P1}  cumulative {cumulative / nonConstant,7:P1}");
        }
        FourierModelRun.WriteText(w, r);
        foreach (var file in r.Files ?? []) w.WriteLine($"wrote {file}");
    }
}
