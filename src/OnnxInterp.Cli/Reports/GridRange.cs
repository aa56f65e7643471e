namespace OnnxInterp.Cli.Reports;

/// <summary>A fixed colour scale for a heatmap, so grids of one metric compare by colour across runs.</summary>
public sealed record GridRange(double Low, double High)
{
    /// <summary>Normalised patching metrics: 0 = corrupted, 1 = clean; overshoots and reversals stay visible up to ±1.</summary>
    public static GridRange Normalised { get; } = new(-1, 1);
}
