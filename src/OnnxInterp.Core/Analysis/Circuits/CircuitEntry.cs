namespace OnnxInterp.Analysis.Circuits;

/// <summary>One entry of a circuit matrix: its row and column (token ids or positions) and value.</summary>
public sealed record CircuitEntry(int Row, int Column, double Value);
