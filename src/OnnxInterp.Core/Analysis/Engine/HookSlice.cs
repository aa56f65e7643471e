namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// Part of a hook's tensor, by the hook's named axes: for each axis named, the indices taken (<c>{"head": [2]}</c>,
/// <c>{"pos": [3, 4], "head": [0]}</c>, <c>{"d_mlp": [17]}</c>); axes not named are taken whole, so
/// <see cref="All"/> is the entire activation of the row. The batch axis is never named: a write belongs to its row.
/// </summary>
public sealed record HookSlice(IReadOnlyDictionary<string, IReadOnlyList<int>> Axes)
{
    public static HookSlice All { get; } = new(new Dictionary<string, IReadOnlyList<int>>());

    /// <summary>One index on each of the given axes: <c>HookSlice.At(("pos", 3), ("head", 1))</c>.</summary>
    public static HookSlice At(params (string Axis, int Index)[] index) =>
        new(index.ToDictionary(p => p.Axis, p => (IReadOnlyList<int>)[p.Index], StringComparer.Ordinal));

    /// <summary>Several indices on one axis: <c>HookSlice.Of("head", 0, 2)</c>.</summary>
    public static HookSlice Of(string axis, params int[] indices) =>
        new(new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal) { [axis] = indices });

    /// <summary>This slice with <paramref name="axis"/> restricted to <paramref name="indices"/> as well.</summary>
    public HookSlice And(string axis, params int[] indices) =>
        new(new Dictionary<string, IReadOnlyList<int>>(Axes, StringComparer.Ordinal) { [axis] = indices });

    public override string ToString() =>
        Axes.Count == 0 ? "all" : string.Join(", ", Axes.Select(p => $"{p.Key}={string.Join("|", p.Value)}"));
}
