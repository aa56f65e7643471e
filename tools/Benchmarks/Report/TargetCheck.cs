namespace OnnxInterp.Benchmarks.Report;

/// <summary>A target of issue #15 and how this run did against it.</summary>
public sealed record TargetCheck(string Target, string Measured, string Status, string Detail);
