namespace OnnxInterp.Cli.Experiments;

/// <summary>A table a step reports: written as <c>NAME.csv</c> and shown in the report.</summary>
public sealed record TableResult(string Name, string Title, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<object?>> Rows);
