using OnnxInterp.Analysis.Fourier;

namespace OnnxInterp.Cli.Commands.Fourier;

/// <summary>
/// The neurons' spectrum: key frequencies (strongest first), split into fundamentals and ReLU second harmonics, whether the
/// fundamentals are the embedding's key frequencies, and every frequency's norm.
/// </summary>
public sealed record NeuronSpectrumOutput(int DMlp, double MedianNorm, IReadOnlyList<int> KeyFrequencies, IReadOnlyList<int> Fundamentals,
    IReadOnlyList<int> Harmonics, bool AgreesWithEmbedding, double KeyShare, IReadOnlyList<FrequencyNorm> Frequencies);
