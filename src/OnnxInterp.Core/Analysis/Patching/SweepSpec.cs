using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Patching;

/// <summary>
/// A generic sweep, as in TransformerLens's patching.py: a hook family (<c>blocks.{l}.attn.hook_z</c>) and the axes
/// whose every index combination is one variant (<c>layer</c>, then layout axes such as <c>pos</c>, <c>head</c>,
/// <c>q_pos</c>, <c>d_mlp</c>). The setter is the mask: a variant patches its layer's hook at its indices and the
/// whole of every axis not listed. Each named sweep in <see cref="Sweeps"/> is one line of this.
/// </summary>
public sealed record SweepSpec(string Name, string Hook, IReadOnlyList<string> Axes)
{
    public const string Layer = "layer";

    bool PerLayer => Hook.Contains("{l}");

    /// <summary>The axes with their indices for this model and prompt length; <c>layer</c> takes the layers where the hook exists.</summary>
    public IReadOnlyList<SweepAxis> Resolve(HookMap map, int positions)
    {
        var layers = PerLayer
            ? Enumerable.Range(0, map.NLayers).Where(l => map.Contains(HookNames.Format(Hook, l))).ToList()
            : map.Contains(Hook) ? [0] : [];
        var result = new List<SweepAxis>();
        foreach (var axis in Axes)
        {
            if (axis == Layer)
            {
                if (!PerLayer) throw new ArgumentException($"sweep '{Name}': hook '{Hook}' has no {{l}}, so it has no layer axis.");
                result.Add(new SweepAxis(Layer, layers));
                continue;
            }
            var layout = layers.Count > 0 ? map[HookName(layers[0])].Layout : HookNames.StandardLayout(Hook.Replace("{l}", "0"));
            if (layout is not null && layout.IndexOf(axis) < 0)
                throw new ArgumentException($"sweep '{Name}': hook '{Hook}' has no axis '{axis}'; its layout is {layout}.");
            result.Add(new SweepAxis(axis, [.. Enumerable.Range(0, AxisSizes.Of(Hook, axis, map.Config, positions))]));
        }
        if (PerLayer && !Axes.Contains(Layer))
            throw new ArgumentException($"sweep '{Name}': hook '{Hook}' is per layer, so its axes must include 'layer'.");
        return result;
    }

    /// <summary>True when the model has this hook at some layer (an attention-only model has no <c>hook_mlp_out</c>).</summary>
    public bool ExistsIn(HookMap map) =>
        PerLayer ? Enumerable.Range(0, map.NLayers).Any(l => map.Contains(HookNames.Format(Hook, l))) : map.Contains(Hook);

    public string HookName(int layer) => PerLayer ? HookNames.Format(Hook, layer) : Hook;

    /// <summary>Every variant in row-major order over the axes: (its indices, its patch site).</summary>
    public IEnumerable<(int[] Indices, PatchSite Site)> Variants(IReadOnlyList<SweepAxis> axes)
    {
        int total = axes.Aggregate(1, (n, a) => n * a.Count);
        for (int flat = 0; flat < total; flat++)
        {
            var indices = new int[axes.Count];
            int rest = flat;
            for (int a = axes.Count - 1; a >= 0; a--)
            {
                indices[a] = axes[a].Values[rest % axes[a].Count];
                rest /= axes[a].Count;
            }
            int layer = 0;
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int a = 0; a < axes.Count; a++)
                if (axes[a].Name == Layer) layer = indices[a];
                else index[axes[a].Name] = indices[a];
            yield return (indices, new PatchSite(HookName(layer), index));
        }
    }
}
