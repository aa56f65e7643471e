namespace OnnxInterp.Benchmarks.Suite;

/// <summary>A measure that threw instead of producing results.</summary>
public sealed record MeasureError(string Measure, string Message);
