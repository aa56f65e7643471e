namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>A row of a circuit and its largest entries, as ids (tokens or positions) and text (the token, where there is a vocabulary).</summary>
public sealed record TopEntryRow(int Row, string RowText, IReadOnlyList<int> Columns, IReadOnlyList<string> ColumnTexts, IReadOnlyList<double> Values);
