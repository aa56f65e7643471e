using OnnxInterp.Analysis.Engine;
using OnnxInterp.Benchmarks.Suite;
using OnnxInterp.Runtime;

namespace OnnxInterp.Benchmarks.Measures;

/// <summary>
/// "forward"/"plain", shared with the baselines: one forward of the model file as exported, fetching only the logits
/// (copied into managed memory, as every onnxinterp result is), at each batch size, on the clean prompt padded to
/// seq tokens by repeating its last token. One session for all batch sizes.
/// </summary>
public sealed class ForwardMeasure : ISuiteMeasure
{
    public string Id => "forward";

    public void Run(SuiteContext context)
    {
        var o = context.Options;
        using var session = SessionFactory.Compile(context.Original, context.Device);
        string logits = Logits(session);
        var ids = context.Pair.Padded(o.Seq);
        foreach (int batch in o.Batches)
        {
            var feeds = BatchFeeds.For(session.Model.Graph, [.. Enumerable.Repeat(ids, batch)]);
            double seconds = Timing.RoundRobin([() => session.Run(feeds, [logits])], o.Reps, warmup: 2)[0];
            context.Add(new BenchResult(Id, "plain", batch, o.Seq, seconds, o.Reps, Extra: new() { ["output"] = logits }));
        }
    }

    /// <summary>The session's logits output: "logits" where the export has it, else its first output.</summary>
    public static string Logits(CompiledModel session) => session.OutputNames.Contains("logits") ? "logits" : session.OutputNames[0];
}
