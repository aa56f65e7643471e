using OnnxInterp.Analysis.Fourier;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Fourier;

/// <summary>The parts of <c>fourier</c> that run the model on every pair (a, b): <c>--neurons</c> and <c>--loss</c>.</summary>
public static class FourierModelRun
{
    public static FourierOutput Add(FourierOutput report, HookedModel model, FourierSpectrum embedding, bool neurons, bool loss, Device device, Action<string> log)
    {
        if (loss && embedding.KeyFrequencies.Count == 0)
            throw new UsageException("--loss restricts the logits to the embedding's key frequencies, but it has none at this --key-ratio; lower --key-ratio.");
        if (model.Map.Config.DVocab <= embedding.P)
            throw new UsageException($"--neurons and --loss feed 'a b =' with '=' as token {embedding.P}, but the vocabulary has only {model.Map.Config.DVocab} tokens.");
        var run = ModularAdditionRun.Of(model, embedding.P, device: device, log: log);
        if (neurons)
        {
            var spectrum = NeuronFourier.Analyze(run.Neurons, run.P, run.DMlp, embedding.KeyRatio);
            var (fundamentals, harmonics) = NeuronFourier.SplitHarmonics(spectrum);
            var embeddingKeys = embedding.KeyFrequencies.Select(f => f.Frequency).ToHashSet();
            report = report with
            {
                Neurons = new NeuronSpectrumOutput(run.DMlp, spectrum.MedianNorm, [.. spectrum.KeyFrequencies.Select(f => f.Frequency)], fundamentals, harmonics,
                    embeddingKeys.SetEquals(fundamentals), spectrum.KeyShare, spectrum.Frequencies),
            };
        }
        if (loss) report = report with { Loss = FrequencyLosses.Of(run.Logits, run.P, run.Vocab, [.. embedding.KeyFrequencies.Select(f => f.Frequency)]) };
        return report;
    }

    public static void WriteText(TextWriter w, FourierOutput r)
    {
        if (r.Neurons is { } n)
        {
            w.WriteLine($"neurons ({n.DMlp}, over all {r.P * r.P} pairs): key frequencies {string.Join(", ", n.KeyFrequencies)} ({n.KeyShare:P1} of the non-constant energy)");
            w.WriteLine($"  fundamentals {string.Join(", ", n.Fundamentals)}; second harmonics {(n.Harmonics.Count == 0 ? "none" : string.Join(", ", n.Harmonics))}; " +
                (n.AgreesWithEmbedding ? "the fundamentals are the embedding's key frequencies" : "the fundamentals differ from the embedding's key frequencies"));
        }
        if (r.Loss is { } l)
        {
            w.WriteLine($"loss over all pairs: {l.Original:G4}; restricted to key frequencies {string.Join(", ", l.KeyFrequencies)}: {l.Restricted:G4}; " +
                $"excluding them: {l.Excluded:G4}; excluding {string.Join(", ", l.ControlFrequencies)} instead (control): {l.ExcludedControl:G4}");
        }
    }
}
