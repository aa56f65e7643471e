namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// Share <see cref="Index"/> of <see cref="Count"/> of a sweep's variants: those whose index v has v mod Count = Index
/// (round-robin, so every share gets every layer). Processes that run the shares of one request, each on its own
/// machine, together compute every variant once; each share's result holds NaN for the variants it left out.
/// </summary>
public sealed record WorkShare(int Index, int Count)
{
    public bool Includes(int variant) => variant % Count == Index;

    /// <summary>The indices among <paramref name="count"/> work items that <paramref name="share"/> runs (all of them without one), in order.</summary>
    public static List<int> Indices(WorkShare? share, int count)
    {
        var checkedShare = share?.Checked();
        return [.. Enumerable.Range(0, count).Where(i => checkedShare?.Includes(i) ?? true)];
    }

    /// <summary>For each of <paramref name="count"/> items, its position among <paramref name="chosen"/>, or -1 when another share runs it.</summary>
    public static int[] Slots(IReadOnlyList<int> chosen, int count)
    {
        var slots = new int[count];
        Array.Fill(slots, -1);
        for (int k = 0; k < chosen.Count; k++) slots[chosen[k]] = k;
        return slots;
    }

    public WorkShare Checked() => Count >= 1 && Index >= 0 && Index < Count ? this
        : throw new ArgumentException($"a work share must be K of N with 0 <= K < N (got {Index} of {Count}).");
}
