using OnnxInterp.ModelForge.Measure;
using OnnxInterp.ModelForge.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxInterp.ModelForge.Tests;

/// <summary>The eager patching of <c>bench-eager</c>: hooks that change nothing change nothing, and a patch has the effect it must.</summary>
public sealed class EagerPatchingTests
{
    [Fact]
    public void NoPatchIsThePlainForwardAndPatchingEveryPositionAtLayerZeroIsTheCleanRun()
    {
        using var weights = RandomModels.Create(RandomModels.SmallGpt2, 41);
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (clean, corrupted) = (RandomModels.Tokens(1, 7, weights.Config.Vocab, 5)[0], RandomModels.Tokens(1, 7, weights.Config.Vocab, 6)[0]);
        var pair = new PromptPair(clean, corrupted, 3, 4);
        var plain = TransformerForward.Logits(weights, EagerPatching.Ids([corrupted]));

        // Hooks that read every site, and a patch whose rows patch nothing: bit-identical to the plain forward.
        var readAll = new ForwardHooks { ResidPre = (_, x) => x, Z = (_, z) => z };
        float[] Values(Tensor t) => t.data<float>().ToArray();
        Assert.Equal(Values(plain), Values(TransformerForward.Logits(weights, EagerPatching.Ids([corrupted]), hooks: readAll)));
        var cleanResid = new List<Tensor>();
        var cleanLogits = TransformerForward.Logits(weights, EagerPatching.Ids([clean]),
            hooks: new ForwardHooks { ResidPre = (_, x) => { cleanResid.Add(x); return x; } });
        var none = EagerPatching.ResidPrePatch(cleanResid, [[]], clean.Length);
        Assert.Equal(Values(plain), Values(TransformerForward.Logits(weights, EagerPatching.Ids([corrupted]), hooks: none)));

        // resid_pre of layer 0 is the embedding: patching it at every position runs the clean prompt.
        Assert.NotEqual(Values(plain), Values(cleanLogits));
        var allPositions = EagerPatching.ResidPrePatch(cleanResid, [[.. Enumerable.Range(0, clean.Length).Select(p => (0, p))]], clean.Length);
        ParityAssert.Close(Values(cleanLogits), Values(TransformerForward.Logits(weights, EagerPatching.Ids([corrupted]), hooks: allPositions)), "patched logits");

        // Variants as rows of one forward give what one forward per variant gives.
        foreach (var sweep in new Func<TransformerWeights, PromptPair, int?, SweepValues>[] { EagerPatching.ResidPreSweep, EagerPatching.HeadZSweep })
        {
            var loop = sweep(weights, pair, null);
            var batched = sweep(weights, pair, 5);
            Assert.Equal(weights.Config.Layers * (sweep == EagerPatching.ResidPreSweep ? clean.Length : weights.Config.Heads), loop.LogitDiffs.Length);
            ParityAssert.Close([.. loop.LogitDiffs.Select(v => (float)v)], [.. batched.LogitDiffs.Select(v => (float)v)], "batched sweep");
            Assert.Equal(loop.Clean, batched.Clean, 5);
            Assert.NotEqual(loop.Clean, loop.Corrupted);
        }
    }
}
