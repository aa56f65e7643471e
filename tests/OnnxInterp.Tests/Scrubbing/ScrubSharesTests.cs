using OnnxInterp.Analysis.Patching;
using OnnxInterp.Analysis.Paths;
using OnnxInterp.Analysis.Scrubbing;
using OnnxInterp.Hooks;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Scrubbing;

/// <summary>Scrubbing split into shares of samples and joined gives the one run's numbers, an empty share included.</summary>
public sealed class ScrubSharesTests
{
    [ToyModelFact("attn-only-2l.onnx")]
    public void Shares_joined_equal_one_run_even_with_more_shares_than_samples()
    {
        var graph = ResidualGraph.Build(HookedModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!));
        var request = new ScrubRequest(CausalScrubbingTests.Induction(true), CausalScrubbingTests.Repeats(12, graph.Model.Map.DVocab), Samples: 2, Seed: 4);
        var whole = CausalScrubbing.Run(graph, request);
        var shares = Enumerable.Range(0, 3).Select(k => CausalScrubbing.Run(graph, request with { Share = new WorkShare(k, 3) })).ToList();

        Assert.True(double.IsNaN(shares[2].ScrubbedLoss), "the third share has no sample: its means are NaN");
        Assert.True(double.IsNaN(shares[0].ScrubbedPerSample[1]) && !double.IsNaN(shares[0].ScrubbedPerSample[0]));
        var joined = CausalScrubbing.Join(shares);
        Assert.Equal(whole.ScrubbedPerSample, joined.ScrubbedPerSample);
        Assert.Equal(whole.CleanPerSample, joined.CleanPerSample);
        Assert.Equal(whole.RandomPerSample, joined.RandomPerSample);
        Assert.Equal((whole.Recovered, whole.RecoveredLow, whole.RecoveredHigh), (joined.Recovered, joined.RecoveredLow, joined.RecoveredHigh));
        Assert.Throws<ArgumentException>(() => CausalScrubbing.Join([shares[0], shares[2]]));   // sample 1 ran nowhere
    }
}
