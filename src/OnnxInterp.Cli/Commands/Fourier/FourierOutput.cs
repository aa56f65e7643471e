using System.Text.Json.Serialization;
using OnnxInterp.Analysis.Fourier;

namespace OnnxInterp.Cli.Commands.Fourier;

/// <summary>
/// The schema of <c>fourier --json</c> (and <c>fourier.json</c>): every frequency 0..(p-1)/2 with its norm and share of the
/// total squared norm, and the key frequencies (non-constant ones whose norm is at least <see cref="KeyRatio"/> times
/// <see cref="MedianNorm"/>, the median non-constant norm), with the share of the non-constant squared norm they carry.
/// </summary>
public sealed record FourierOutput(
    string Model,
    int P,
    int DModel,
    double KeyRatio,
    double MedianNorm,
    IReadOnlyList<int> KeyFrequencies,
    double KeyShare,
    IReadOnlyList<FrequencyNorm> Frequencies,
    IReadOnlyList<string>? Files)
{
    /// <summary>With <c>--neurons</c>: the MLP neurons' spectrum over (a, b); null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NeuronSpectrumOutput? Neurons { get; init; }

    /// <summary>With <c>--loss</c>: the loss with the logits restricted to, or excluding, the key frequencies; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrequencyLosses? Loss { get; init; }
}
