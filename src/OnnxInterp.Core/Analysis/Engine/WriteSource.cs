using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>Where a write's values come from.</summary>
public abstract record WriteSource
{
    WriteSource() { }

    /// <summary>Zeros (zero ablation).</summary>
    public sealed record Zero : WriteSource;

    /// <summary>
    /// A fed tensor, broadcast over the slice like numpy (a mean over the dataset [1, 1, d_model], a per-position mean
    /// [1, pos, d_model], a cached activation): its batch axis, when it has one, must be 1.
    /// </summary>
    public sealed record Fed(NamedTensor Value) : WriteSource;

    /// <summary>The same hook's value in another row of the plan (activation patching, resampling): its index in the plan.</summary>
    public sealed record FromRow(int Row) : WriteSource;

    /// <summary>The hook's own value plus a fed tensor broadcast like <see cref="Fed"/> (a steering vector [d_model]).</summary>
    public sealed record Add(NamedTensor Vector) : WriteSource;

    public static WriteSource Zeros { get; } = new Zero();
}
