using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Hooks;

/// <summary>
/// Issue #14 item 7's float16 fixtures (torch 1.13 exports of a half GPT2LMHeadModel: float16 weights, activations and
/// logits; traced with tools/torch-fixtures/half_on_cpu.py). Recognition, hooks and logits against torch are in
/// <see cref="TorchExportFixtureTests"/>, the residual graphs in Paths/; this checks the engine's writes, which are
/// float16 in the graph, against C# hook functions that copy the clean activation at one position into the corrupted run.
/// </summary>
public sealed class Float16ExportTests
{
    static readonly string Fp16 = Path.Combine(TestPaths.RepoRoot, "tests/fixtures/torch/gpt2lm-fp16-opset14-mask.onnx");

    [Fact]
    public void The_fixture_is_float16_throughout()
    {
        var graph = OnnxModel.Load(Fp16).Graph;
        Assert.Contains(graph.Initializers.Values, t => t.DataType == (int)ElementType.Float16);
        Assert.DoesNotContain(graph.Initializers.Values, t => t.DataType == (int)ElementType.Float);
        Assert.Equal(ElementType.Float16, graph.TypeOf("logits")?.ElementType);
    }

    [Fact]
    public void Patching_a_float16_export_equals_hook_functions_that_copy_the_clean_activation()
    {
        var model = HookedModel.Load(Fp16);
        var pair = new PromptPair([1, 7, 3, 7, 3, 9, 4], [1, 8, 4, 7, 3, 9, 4], 5, 6);
        int n = pair.Clean.Count, last = n - 1;
        var result = ActivationPatching.Run(model, new PatchingRequest([pair], [Sweeps.ResidPre, Sweeps.AttnOut], MetricKind.LogitDiff), new InterventionOptions(RowsPerRun: 64));

        using var capture = new InterpModel(model);
        foreach (var (sweep, hook) in new[] { ("resid_pre", "hook_resid_pre"), ("attn_out", "hook_attn_out") })
        {
            var moved = 0;
            for (int l = 0; l < 2; l++)
            {
                var name = $"blocks.{l}.{hook}";
                var clean = capture.RunWithCache(pair.Clean, name).Cache[name];
                for (int p = 0; p < n; p++)
                {
                    int position = p;
                    // Patching (not --reverse) runs the corrupted prompt with one clean activation.
                    var logits = capture.RunWithHooks(pair.Corrupted, (name, (x, _) => CopyPosition(x, clean, position)));
                    double expected = LogitMetrics.LogitDiff(LogitMetrics.Row(logits, 0, last), pair.Answer, pair.Wrong);
                    // Both paths compute in float16 (logit ulp ~1e-3 near 2); they differ only in where the write happens.
                    Assert.True(Math.Abs(expected - result[sweep].RawAt(l, p)) < 1e-2, $"{name} at {p}: engine {result[sweep].RawAt(l, p)}, hook function {expected}");
                    if (Math.Abs(expected - result.Corrupted) > 0.05) moved++;
                }
            }
            Assert.True(moved >= 2, $"{sweep}: patching moved the metric at {moved} places; the comparison needs some that move");
        }
    }

    /// <summary>The activation [1, pos, ...] with one position's values taken from <paramref name="source"/>.</summary>
    static NamedTensor CopyPosition(NamedTensor value, NamedTensor source, int position)
    {
        var data = (Half[])((Half[])value.Data).Clone();
        long stride = data.LongLength / value.Shape[1];
        Array.Copy((Half[])source.Data, position * stride, data, position * stride, stride);
        return value with { Data = data };
    }
}
