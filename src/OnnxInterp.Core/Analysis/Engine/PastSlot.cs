namespace OnnxInterp.Analysis.Engine;

/// <summary>One past key/value input, the graph output that carries it to the next step, and its sequence and batch axes.</summary>
public sealed record PastSlot(string Input, string Output, int SequenceAxis, int BatchAxis);
