using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Experiments;

/// <summary>A grid with the name its files take (<c>STEP-NAME.csv</c>, <c>STEP-NAME.png</c>).</summary>
public sealed record NamedGrid(string Name, GridResult Grid);
