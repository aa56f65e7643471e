using OnnxInterp.Analysis;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Tests.Analysis;

/// <summary>
/// The slow, obviously-right path the batched sweeps are checked against, sharing none of their machinery: every
/// activation is captured by an Expose run of one prompt at batch 1, and every intervention is a separate batch-1
/// session run of a graph with a <see cref="PatchSource.Fed"/> patch point, fed a mask built element by element
/// from the layout and the captured (or zero, or mean) activation. No row gathers, no shared masks, no chunking.
/// </summary>
sealed class PatchingReference : IDisposable
{
    readonly CompiledModel exposing, patching;
    readonly IReadOnlyList<HookPoint> points;

    public PatchingReference(HookedModel model, IEnumerable<string> hooks)
    {
        var (ready, found) = model.Prepare(hooks);
        points = found;
        var typed = TypeProbe.Fill(ready.Model);
        var tensors = points.Select(p => p.Tensor).Distinct().ToList();
        exposing = SessionFactory.Compile(Expose.Apply(typed, tensors).Model, Device.Cpu);
        patching = SessionFactory.Compile(InsertPatchPoints.Apply(typed, tensors.Select(t => new PatchRequest(t, PatchSource.Fed))).Model, Device.Cpu);
        Output = ready.Map.TryGet("logits", out var logits) ? logits.Tensor : NextTokenPrediction.LogitsOutput(ready.Model.Graph);
    }

    public string Output { get; }

    public HookPoint Point(string hook) => points.Single(p => p.Name == hook);

    /// <summary>Every hook's activation on one prompt, batch 1.</summary>
    public Dictionary<string, NamedTensor> Capture(IReadOnlyList<long> tokens)
    {
        var results = exposing.Run(TokenFeeds.For(exposing.Model.Graph, tokens), points.Select(p => p.Tensor).Distinct());
        return points.ToDictionary(p => p.Name.Value, p => results[p.Tensor]);
    }

    /// <summary>
    /// The logits of one batch-1 run of <paramref name="tokens"/> in which <paramref name="hook"/> takes the values of
    /// <paramref name="source"/> wherever <paramref name="select"/> (given each element's index, axis by axis of the
    /// hook's layout) is true. Every other patch point is fed inactive.
    /// </summary>
    public NamedTensor Run(IReadOnlyList<long> tokens, string hook, NamedTensor source, Func<long[], bool> select, long[] activationShape) =>
        Run(tokens, [(hook, source, select, activationShape)]);

    /// <summary>As above with several hooks patched in the same run (each through its own fed patch point).</summary>
    public NamedTensor Run(IReadOnlyList<long> tokens, IReadOnlyList<(string Hook, NamedTensor Source, Func<long[], bool> Select, long[] Shape)> patches)
    {
        var fed = new List<NamedTensor>();
        foreach (var (hook, source, select, shape) in patches)
        {
            var point = new PatchPoint(Point(hook).Tensor, PatchSource.Fed, new TensorType(ElementType.Float, null), 0);
            var mask = new bool[shape.Aggregate(1L, (a, b) => a * b)];
            var index = new long[shape.Length];
            for (long flat = 0; flat < mask.LongLength; flat++)
            {
                mask[flat] = select(index);
                for (int d = index.Length - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
            }
            fed.Add(NamedTensor.Bool(point.MaskInput, shape, mask));
            fed.Add(source.Renamed(point.SourceInput!));
        }
        var feeds = TokenFeeds.For(patching.Model.Graph, tokens, fed.Select(f => f.Name)).ToList();
        feeds.AddRange(fed);
        return patching.Run(feeds, [Output])[Output];
    }

    /// <summary>The unpatched logits of one prompt.</summary>
    public NamedTensor Clean(IReadOnlyList<long> tokens) => patching.Run(TokenFeeds.For(patching.Model.Graph, tokens), [Output])[Output];

    public void Dispose()
    {
        exposing.Dispose();
        patching.Dispose();
    }
}
