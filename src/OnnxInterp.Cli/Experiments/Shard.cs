using System.Globalization;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (0-based, as Kubernetes' JOB_COMPLETION_INDEX; Slurm's
/// SLURM_ARRAY_TASK_ID with <c>--array=0-(N-1)</c>): which part of an experiment this process runs. Whole steps go
/// round-robin (step i to shard i mod N); a dataset step (maxact) runs on every shard over its share of the batches
/// (batch b to shard b mod N), so every number is computed exactly as in one run and <c>merge</c> gives that run's results.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && k < n)
            return new Shard(k, n);
        throw new UsageException($"--shard '{text}' must be K/N with 0 <= K < N, e.g. --shard 0/4 for the first of four shards.");
    }

    public bool RunsStep(int step) => step % Count == Index;

    public bool RunsBatch(int batch) => batch % Count == Index;

    public override string ToString() => $"{Index}/{Count}";
}
