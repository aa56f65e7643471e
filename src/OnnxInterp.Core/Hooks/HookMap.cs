using OnnxInterp.Graph;

namespace OnnxInterp.Hooks;

/// <summary>
/// The hooks of one model: canonical name -> graph tensor and layout, the model's config, and where the weights
/// analyses need are stored. Built by a recogniser (<see cref="HookedModel.From"/>) or read from a hook-map file
/// (<see cref="FromJson"/>). Immutable: derived hooks produce a new map.
/// </summary>
public sealed class HookMap
{
    readonly Dictionary<string, HookPoint> byName;

    public HookMap(IEnumerable<HookPoint> points, HookConfig config, IEnumerable<ParameterRef>? parameters = null, string source = "")
    {
        byName = new(StringComparer.Ordinal);
        foreach (var p in points)
            if (!byName.TryAdd(p.Name, p))
                throw new HookMapException($"hook '{p.Name}' is defined twice: '{byName[p.Name].Tensor}' and '{p.Tensor}'.");
        Points = [.. byName.Values.OrderBy(p => HookNames.OrderKey(p.Name))];
        Config = config;
        Parameters = (parameters ?? []).ToDictionary(p => p.Name, StringComparer.Ordinal);
        Source = source;
    }

    /// <summary>Every hook, in forward order (embeddings, block by block, final LayerNorm, logits).</summary>
    public IReadOnlyList<HookPoint> Points { get; }
    public HookConfig Config { get; }
    /// <summary>Canonical weight name (<c>W_U</c>, <c>blocks.0.attn.W_O</c>, …) -> where it is stored.</summary>
    public IReadOnlyDictionary<string, ParameterRef> Parameters { get; }
    /// <summary>How the map was made: the recogniser that matched, or the hook-map file.</summary>
    public string Source { get; }

    public int NLayers => Config.NLayers;
    public int NHeads => Config.NHeads;
    public int DModel => Config.DModel;
    public int DHead => Config.DHead;
    public int DMlp => Config.DMlp;
    public int DVocab => Config.DVocab;

    public HookPoint this[string name] => Get(name);

    public bool Contains(string name) => byName.ContainsKey(name);

    public bool TryGet(string name, out HookPoint point) => byName.TryGetValue(name, out point!);

    /// <summary>The hook of that exact name; fails listing the closest names when there is none.</summary>
    public HookPoint Get(string name) =>
        byName.TryGetValue(name, out var p) ? p : throw new HookMapException(UnknownMessage(name));

    /// <summary>The parameter of that canonical name; fails listing the names the map has.</summary>
    public ParameterRef Parameter(string name) =>
        Parameters.TryGetValue(name, out var p) ? p
        : throw new HookMapException($"the hook map records no parameter '{name}'. It has: {string.Join(", ", HookNames.Closest(name, Parameters.Keys, 8))}.");

    /// <summary>
    /// Hooks whose names match a glob (<c>blocks.*.attn.hook_pattern</c>, <c>blocks.{0,1}.hook_resid_pre</c>) or an
    /// exact name, in forward order. A pattern matching nothing is an error that lists close names: a typo never
    /// silently selects nothing.
    /// </summary>
    public IReadOnlyList<HookPoint> Select(string pattern) => Select([pattern]);

    /// <summary>Hooks matching any of the patterns, each once, in forward order.</summary>
    public IReadOnlyList<HookPoint> Select(IEnumerable<string> patterns)
    {
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pattern in patterns)
        {
            if (!HookNames.IsGlob(pattern))
            {
                chosen.Add(Get(pattern).Name);
                continue;
            }
            var regex = HookNames.Glob(pattern);
            var hits = byName.Keys.Where(n => regex.IsMatch(n)).ToList();
            if (hits.Count == 0)
                throw new HookMapException($"no hook matches '{pattern}'. {Suggestion(pattern.Replace("*", "0").Replace("?", ""))}");
            chosen.UnionWith(hits);
        }
        return [.. Points.Where(p => chosen.Contains(p.Name))];
    }

    /// <summary>A copy with some points replaced or added (same config and parameters).</summary>
    public HookMap With(IEnumerable<HookPoint> replaced, string? source = null)
    {
        var merged = new Dictionary<string, HookPoint>(byName, StringComparer.Ordinal);
        foreach (var p in replaced) merged[p.Name] = p;
        return new HookMap(merged.Values, Config, Parameters.Values, source ?? Source);
    }

    /// <summary>
    /// Reads a JSON hook-map file (format in docs/hooks.md) and resolves every entry against <paramref name="model"/>'s
    /// graph; fails naming the entry that does not resolve.
    /// </summary>
    public static HookMap FromJson(string file, OnnxModel model) => Recognition.HookMapFile.Load(file, model);

    string UnknownMessage(string name) =>
        $"the model has no hook '{name}'. {Suggestion(name)}";

    string Suggestion(string name)
    {
        if (byName.Count == 0) return "This hook map is empty.";
        var close = HookNames.Closest(name, byName.Keys);
        // A layer past the last one is a different mistake from a misspelt name: say how many there are.
        var layer = System.Text.RegularExpressions.Regex.Match(name, @"^blocks\.(\d+)\.");
        var layers = layer.Success && NLayers > 0 && int.TryParse(layer.Groups[1].Value, out var l) && l >= NLayers
            ? $"The model has {NLayers} layer{(NLayers == 1 ? "" : "s")} (blocks.0 to blocks.{NLayers - 1}). " : "";
        return $"{layers}Closest names: {string.Join(", ", close)}. Run `onnxinterp inspect MODEL` for the full hook table ({byName.Count} hooks).";
    }
}
