using System.Numerics;
using OnnxInterp.Analysis.Fourier;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;
using Xunit.Abstractions;

namespace OnnxInterp.Tests.Circuits;

/// <summary>
/// The modular-addition model's key frequencies: the neurons' spectrum and the restricted and excluded loss, against
/// brute-force transforms and loops on small synthetic inputs, and on modadd-p113 itself.
/// </summary>
public class ModularAdditionFourierTests(ITestOutputHelper output)
{
    static float[] Random(int count, int seed)
    {
        var r = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(r.NextDouble() * 2 - 1))];
    }

    [Fact]
    public void Neuron_spectrum_is_the_energy_of_the_two_dimensional_terms_of_each_frequency()
    {
        const int p = 7, width = 3;
        var x = Random(p * p * width, 3);
        var spectrum = NeuronFourier.Analyze(x, p, width, keyRatio: 1e9);
        for (int k = 1; k <= 3; k++)
        {
            // Brute force: the full 2-D DFT at (±k, 0), (0, ±k), (±k, ±k), divided by p².
            double expected = 0;
            foreach (var (ka, kb) in new[] { (k, 0), (-k, 0), (0, k), (0, -k), (k, k), (-k, -k), (k, -k), (-k, k) })
                for (int n = 0; n < width; n++)
                {
                    Complex f = 0;
                    for (int a = 0; a < p; a++)
                        for (int b = 0; b < p; b++)
                            f += x[(a * p + b) * width + n] * Complex.Exp(new Complex(0, -2 * Math.PI * (ka * a + kb * b) / p));
                    expected += f.Magnitude * f.Magnitude / (p * p);
                }
            Assert.Equal(Math.Sqrt(expected), spectrum.Frequencies[k].Norm, 1e-9);
        }
    }

    [Fact]
    public void Restricting_to_a_frequency_keeps_exactly_its_a_plus_b_component()
    {
        const int p = 7, vocab = 8, key = 3;
        // Logit of c: 4 cos(w3 (a + b - c)) (the mechanism) + 2 cos(w1 a) (not a function of a + b) + 0.5 c (constant in a, b).
        var logits = new float[p * p * vocab];
        double W(int k) => 2 * Math.PI * k / p;
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
                for (int c = 0; c < vocab; c++)
                    logits[(a * p + b) * vocab + c] = (float)(c < p ? 4 * Math.Cos(W(key) * (a + b - c)) + 2 * Math.Cos(W(1) * a) + 0.5 * c : 50);
        var losses = FrequencyLosses.Of(logits, p, vocab, [key]);
        double Loss(Func<int, int, int, double> logit)
        {
            double total = 0;
            for (int a = 0; a < p; a++)
                for (int b = 0; b < p; b++)
                {
                    var row = Enumerable.Range(0, p).Select(c => logit(a, b, c)).ToArray();
                    total += Math.Log(row.Sum(Math.Exp)) - row[(a + b) % p];
                }
            return total / (p * p);
        }
        Assert.Equal(Loss((a, b, c) => logits[(a * p + b) * vocab + c]), losses.Original, 1e-6);
        Assert.Equal(Loss((a, b, c) => 4 * Math.Cos(W(key) * (a + b - c)) + 0.5 * c), losses.Restricted, 1e-6);
        Assert.Equal(Loss((a, b, c) => 2 * Math.Cos(W(1) * a) + 0.5 * c), losses.Excluded, 1e-6);
    }

    [ToyModelFact("modadd-p113.onnx")]
    public void Modadd_neurons_share_the_embeddings_key_frequencies_and_the_loss_needs_them()
    {
        var model = HookTestSupport.Load("onnx-models/modadd-p113.onnx");
        var embedding = EmbeddingFourier.Of(model, 113);
        var run = ModularAdditionRun.Of(model, 113, device: Device.Cpu);
        var neurons = NeuronFourier.Analyze(run.Neurons, 113, run.DMlp);
        var embeddingKeys = embedding.KeyFrequencies.Select(f => f.Frequency).Order().ToList();
        var neuronKeys = neurons.KeyFrequencies.Select(f => f.Frequency).Order().ToList();
        output.WriteLine($"embedding keys {string.Join(", ", embeddingKeys)}; neuron keys {string.Join(", ", neuronKeys)} (share {neurons.KeyShare:P1})");
        var losses = FrequencyLosses.Of(run.Logits, 113, run.Vocab, embeddingKeys);
        output.WriteLine($"loss {losses.Original:G4}, restricted {losses.Restricted:G4}, excluded {losses.Excluded:G4}, excluded control [{string.Join(", ", losses.ControlFrequencies)}] {losses.ExcludedControl:G4}");
        // Measured: embedding 28, 37, 13, 14, 4; neurons 28, 37, 13, 14, then 56, 4, 39, 26: ReLU's second harmonics
        // of 28, 37 and 13 (2 x 37 = 74 folds to 39) stand out beside the fundamentals.
        var (fundamentals, harmonics) = NeuronFourier.SplitHarmonics(neurons);
        Assert.Equal(embeddingKeys, fundamentals.Order());
        Assert.Equal([26, 39, 56], harmonics.Order());
        Assert.All(neurons.Ranked.Take(4), f => Assert.Contains(f.Frequency, embeddingKeys));
        Assert.True(losses.Restricted < 0.5, $"restricted loss {losses.Restricted}");
        Assert.True(losses.Excluded > 2, $"excluded loss {losses.Excluded}");
        Assert.True(losses.ExcludedControl < 2 * losses.Original + 0.05, $"excluding non-key frequencies: {losses.ExcludedControl} vs {losses.Original}");
    }

    [ToyModelFact("modadd-p113.onnx")]
    public void Fourier_verb_reports_the_neurons_and_the_losses_as_json()
    {
        var r = OnnxInterp.Tests.Cli.CliHarness.Run("fourier", HookTestSupport.PathOf("onnx-models/modadd-p113.onnx"), "--neurons", "--loss", "--device", "cpu", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(r.Out);
        var neurons = json.RootElement.GetProperty("neurons");
        Assert.True(neurons.GetProperty("agreesWithEmbedding").GetBoolean(), neurons.ToString());
        var loss = json.RootElement.GetProperty("loss");
        Assert.True(loss.GetProperty("excluded").GetDouble() > 100 * loss.GetProperty("original").GetDouble(), loss.ToString());
    }
}
