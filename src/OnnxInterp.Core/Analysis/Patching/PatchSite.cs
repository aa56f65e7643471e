using OnnxInterp.Analysis.Engine;

namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// Where one intervention writes: a hook (a canonical name such as <c>blocks.1.attn.hook_z</c>) and, for some of its
/// layout axes, one index (<c>{"head": 3}</c>, <c>{"pos": 5}</c>, <c>{"d_mlp": 17}</c>). Axes not named are
/// patched whole, so an empty index patches the entire activation of every position.
/// </summary>
public sealed record PatchSite(string Hook, IReadOnlyDictionary<string, int> Index)
{
    public PatchSite(string hook) : this(hook, new Dictionary<string, int>()) { }

    /// <summary>A site indexing the given (axis, index) pairs.</summary>
    public static PatchSite At(string hook, params (string Axis, int Index)[] index) =>
        new(hook, index.ToDictionary(p => p.Axis, p => p.Index, StringComparer.Ordinal));

    /// <summary>The engine slice this site covers.</summary>
    public HookSlice Slice => new(Index.ToDictionary(p => p.Key, p => (IReadOnlyList<int>)[p.Value], StringComparer.Ordinal));

    /// <summary>A write of this site from <paramref name="source"/>.</summary>
    public HookWrite Write(WriteSource source) => new(Hook, source, Slice);

    public override string ToString() =>
        Index.Count == 0 ? Hook : $"{Hook}[{string.Join(", ", Index.Select(p => $"{p.Key}={p.Value}"))}]";
}
