namespace OnnxInterp.Hooks;

/// <summary>Output features <c>Start .. Start + Width - 1</c> of a stored weight: the part one parameter occupies.</summary>
public sealed record ColumnRange(long Start, long Width)
{
    public long End => Start + Width;

    public override string ToString() => $"columns {Start}..{End - 1}";
}
