namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// An experiment as data: rows that run as batch rows of a few session runs, the hooks read from every row (names or
/// globs), and which logits come back. A row's writes may read other rows (<see cref="WriteSource.FromRow"/>), so
/// clean, corrupted and patched runs of one sweep are rows of one plan. Plans with the same touched sites (the same
/// hooks written, with the same source kinds, receivers and reads) compile to one rewrite and one session; rows may
/// differ in everything else. <paramref name="Outputs"/> names graph outputs (or any tensors) returned per row beside the
/// hooks, under their own names: e.g. the present key/values of a past-KV graph. <paramref name="PastLength"/> is how many
/// past key/value positions every row's feeds carry (a decoding step): <c>k_pos</c> axes are sized past + the row's
/// positions, and the context window check counts them. See docs/engine.md.
/// </summary>
public sealed record InterventionPlan(IReadOnlyList<PlanRow> Rows, IReadOnlyList<string>? Reads = null, LogitReads? Logits = null, string? Output = null,
    IReadOnlyList<string>? Outputs = null, int PastLength = 0)
{
    /// <summary>The logits to return: every position unless said otherwise.</summary>
    public LogitReads LogitRequest => Logits ?? LogitReads.All;
}

/// <summary>
/// Which logits a plan returns: all positions, none, or only some (then the rewrite computes the unembedding at those
/// positions alone, which is most of the work on a GPT-2 vocabulary).
/// </summary>
public sealed record LogitReads(IReadOnlyList<int>? Positions, bool Read = true)
{
    public static LogitReads All { get; } = new((IReadOnlyList<int>?)null);
    public static LogitReads None { get; } = new((IReadOnlyList<int>?)null, false);
    public static LogitReads At(params int[] positions) => new([.. positions.Distinct().Order()]);
}
