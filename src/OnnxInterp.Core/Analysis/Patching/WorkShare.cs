namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// Share <see cref="Index"/> of <see cref="Count"/> of a sweep's variants: those whose index v has v mod Count = Index
/// (round-robin, so every share gets every layer). Processes that run the shares of one request, each on its own
/// machine, together compute every variant once; each share's result holds NaN for the variants it left out.
/// </summary>
public sealed record WorkShare(int Index, int Count)
{
    public bool Includes(int variant) => variant % Count == Index;

    public WorkShare Checked() => Count >= 1 && Index >= 0 && Index < Count ? this
        : throw new ArgumentException($"a work share must be K of N with 0 <= K < N (got {Index} of {Count}).");
}
