namespace OnnxInterp.Analysis.Generation;

/// <summary>A token as it is chosen, for streaming: the row, the step (0 = the first new token) and the token.</summary>
public sealed record GeneratedToken(int Row, int Step, long Token, bool Stop);
