using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// Turns generation writes into one step's engine writes. A step computes sequence positions [start, start + length)
/// (the whole sequence without past, the new token with it), and the engine's position axis counts from the step's first
/// position: a write keeps the absolute positions its scope and slice cover inside the window, shifted to the step.
/// </summary>
public static class StepWrites
{
    /// <summary>The engine writes of one step; a write covering none of the step's positions is left out.</summary>
    public static IReadOnlyList<HookWrite> For(IReadOnlyList<GenerationWrite> writes, HookMap map, int promptLength, int start, int length)
    {
        var result = new List<HookWrite>();
        foreach (var g in writes)
        {
            var axis = PositionAxis(map[g.Write.Hook].Layout.Axes);
            var slice = g.Write.Part;
            if (axis is null)
            {
                if (g.Scope != WriteScope.All)
                    throw new ArgumentException($"hook '{g.Write.Hook}' has no position axis (pos or q_pos), so a write to it cannot be limited to the {(g.Scope == WriteScope.Prompt ? "prompt" : "new tokens")}.");
                result.Add(g.Write);
                continue;
            }
            var (from, to) = g.Scope switch { WriteScope.Prompt => (0, promptLength), WriteScope.NewTokens => (promptLength, int.MaxValue), _ => (0, int.MaxValue) };
            IEnumerable<int> absolute = slice.Axes.TryGetValue(axis, out var given) ? given : Enumerable.Range(start, length);
            var covered = absolute.Where(p => p >= Math.Max(from, start) && p < Math.Min(to, start + length)).Select(p => p - start).Distinct().Order().ToArray();
            if (covered.Length == 0) continue;
            bool whole = covered.Length == length && !slice.Axes.ContainsKey(axis);
            result.Add(whole ? g.Write : g.Write with { Slice = slice.And(axis, covered) });
        }
        return result;
    }

    /// <summary>Fails before the first step on writes generation cannot apply at every step.</summary>
    public static void Check(IReadOnlyList<GenerationWrite> writes, HookMap map)
    {
        foreach (var g in writes)
        {
            if (!map.TryGet(g.Write.Hook, out var point))
                throw new ArgumentException($"the model has no hook '{g.Write.Hook}'. `onnxinterp inspect MODEL` lists its hooks.");
            if (g.Write.Source is WriteSource.FromRow)
                throw new ArgumentException($"a generation write to '{g.Write.Hook}' reads another row; rows of a generation grow apart, so give zero, fed or added values.");
            var axis = PositionAxis(point.Layout.Axes);
            var value = g.Write.Source switch { WriteSource.Fed f => f.Value, WriteSource.Add a => a.Vector, _ => null };
            if (value is null || axis is null) continue;
            int aligned = value.Shape.Length - (point.Layout.Rank - point.Layout.IndexOf(axis));
            if (aligned >= 0 && value.Shape[aligned] != 1)
                throw new ArgumentException($"the value written to '{g.Write.Hook}' has shape [{string.Join(", ", value.Shape)}], one entry per {axis} position; during generation the sequence grows, so give a value broadcast over positions (size 1 or no {axis} axis).");
        }
    }

    /// <summary>The axis that indexes the step's positions: pos, else q_pos (attention scores and patterns).</summary>
    public static string? PositionAxis(IReadOnlyList<string> axes) => axes.Contains("pos") ? "pos" : axes.Contains("q_pos") ? "q_pos" : null;
}
