using OnnxInterp.Analysis.Engine;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// Steering vectors as the difference of mean activations at a hook between two prompt sets (activation addition,
/// contrastive activation addition): one engine plan reads the hook from every prompt of both sets; each prompt gives its
/// activation at the last position (or its mean over positions), and the vector is mean(positive) - mean(negative), with
/// the batch and position axes removed (a residual hook gives [d_model], hook_z [head, d_head]). Averaged in double.
/// </summary>
public static class SteeringVectors
{
    public static NamedTensor DifferenceOfMeans(InterventionEngine engine, string hook, IReadOnlyList<IReadOnlyList<long>> positive,
        IReadOnlyList<IReadOnlyList<long>> negative, SteeringPosition position = SteeringPosition.Last)
    {
        if (positive.Count == 0 || negative.Count == 0)
            throw new ArgumentException($"a steering vector needs prompts on both sides; got {positive.Count} positive and {negative.Count} negative.");
        var point = engine.Model.Map[hook];
        int pos = point.Layout.IndexOf("pos"), batch = point.Layout.IndexOf("batch");
        if (pos < 0 || batch < 0)
            throw new ArgumentException($"hook '{hook}' has layout {point.Layout}; a steering vector needs a hook with batch and pos axes (the residual stream, hook_z, mlp.hook_post, ...).");
        var rows = positive.Concat(negative).Select(p => new PlanRow(p)).ToList();
        var result = engine.Run(new InterventionPlan(rows, [hook], LogitReads.None));
        var plus = Mean(Enumerable.Range(0, positive.Count).Select(i => PerPrompt(result[i][hook], batch, pos, position)));
        var minus = Mean(Enumerable.Range(positive.Count, negative.Count).Select(i => PerPrompt(result[i][hook], batch, pos, position)));
        var shape = result[0][hook].Shape.Where((_, a) => a != batch && a != pos).ToArray();
        return NamedTensor.Float(hook, shape, [.. plus.Zip(minus, (a, b) => (float)(a - b))]);
    }

    /// <summary>One prompt's activation over the non-batch, non-position axes: at its last position or averaged over positions.</summary>
    static double[] PerPrompt(NamedTensor value, int batch, int pos, SteeringPosition position)
    {
        var data = value.ToFloats();
        var shape = value.Shape;
        long positions = shape[pos], inner = shape[(pos + 1)..].Aggregate(1L, (a, b) => a * b), outer = shape[..pos].Aggregate(1L, (a, b) => a * b);
        var sum = new double[outer * inner];
        long first = position == SteeringPosition.Last ? positions - 1 : 0;
        for (long o = 0; o < outer; o++)
            for (long p = first; p < positions; p++)
                for (long i = 0; i < inner; i++)
                    sum[o * inner + i] += data[(o * positions + p) * inner + i];
        long count = positions - first;
        return [.. sum.Select(v => v / count)];
    }

    static double[] Mean(IEnumerable<double[]> vectors)
    {
        double[]? sum = null;
        int n = 0;
        foreach (var v in vectors)
        {
            sum ??= new double[v.Length];
            for (int i = 0; i < v.Length; i++) sum[i] += v[i];
            n++;
        }
        return [.. sum!.Select(v => v / n)];
    }
}
