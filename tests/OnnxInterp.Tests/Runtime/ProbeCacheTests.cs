using OnnxInterp.Graph;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Hooks;

namespace OnnxInterp.Tests.Runtime;

/// <summary>The on-disk probe cache: a second probe of the same graph reads what the first measured, equal to measuring again.</summary>
public sealed class ProbeCacheTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "probe-cache-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
    }

    [ToyModelFact("tiny-gpt2.onnx")]
    public void A_cached_probe_equals_a_fresh_measurement_and_a_damaged_entry_is_measured_again()
    {
        var model = OnnxModel.Load(HookTestSupport.Toy("tiny-gpt2.onnx")!);
        var other = OnnxModel.Load(HookTestSupport.Toy("attn-only-2l.onnx")!);
        int measured = 0;
        ProbeResult Measure(OnnxModel m) { measured++; return TypeProbe.Measured(m, Device.Cpu); }

        var first = ProbeCache.GetOrProbe(model, () => Measure(model), folder);
        var second = ProbeCache.GetOrProbe(model, () => Measure(model), folder);
        Assert.Equal(1, measured);
        var entry = Assert.Single(Directory.GetFiles(folder));
        AssertSame(TypeProbe.Measured(model, Device.Cpu), second);
        AssertSame(first, second);
        Assert.Contains(second.BatchAxes, p => p.Value == 0);            // the residual stream's batch axis survives the trip
        Assert.Contains(second.Types.Values, t => t.Shape!.Any(d => d == Dim.Unknown));   // and dynamic dims

        ProbeCache.GetOrProbe(other, () => Measure(other), folder);     // another graph, another entry
        Assert.Equal(2, measured);
        Assert.Equal(2, Directory.GetFiles(folder).Length);

        File.WriteAllText(entry, "{\"Types\":");                        // damaged: measured again and rewritten
        AssertSame(first, ProbeCache.GetOrProbe(model, () => Measure(model), folder));
        Assert.Equal(3, measured);
        ProbeCache.GetOrProbe(model, () => Measure(model), folder);
        Assert.Equal(3, measured);
    }

    static void AssertSame(ProbeResult expected, ProbeResult actual)
    {
        Assert.Equal(expected.Types.Keys.Order(), actual.Types.Keys.Order());
        foreach (var (name, type) in expected.Types)
        {
            Assert.Equal(type.ElementType, actual.Types[name].ElementType);
            Assert.Equal(type.Shape, actual.Types[name].Shape);
        }
        Assert.Equal(expected.BatchAxes.OrderBy(p => p.Key), actual.BatchAxes.OrderBy(p => p.Key));
    }
}
