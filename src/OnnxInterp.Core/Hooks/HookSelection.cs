using OnnxInterp.Graph;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Hooks;

/// <summary>
/// Patterns resolved to graph tensors, and the model in which those tensors exist (the recognised, possibly
/// unfused or inlined model with derived hooks materialised when any pattern named hooks, or when the tensors named
/// exist only there; the file's own model otherwise).
/// </summary>
/// <param name="HookNames">Graph tensor -> its hook names (one tensor may carry two: <c>blocks.0.hook_resid_post</c> is
/// <c>blocks.1.hook_resid_pre</c>), for the tensors that were selected by hook name.</param>
/// <param name="TensorPatterns">The patterns that named no hook (resolved into <see cref="Tensors"/> unless deferred).</param>
public sealed record HookSelection(OnnxModel Model, IReadOnlyList<string> Tensors, IReadOnlyDictionary<string, IReadOnlyList<string>> HookNames,
                                   IReadOnlyList<string> TensorPatterns)
{
    /// <summary>The hook map's configuration when the model was recognised (or a hook map given); null otherwise.</summary>
    public HookConfig? Config { get; init; }

    /// <summary>The hook map when the model was recognised (or a hook map given); null otherwise.</summary>
    public HookMap? Map { get; init; }

    /// <summary>
    /// For a pattern that matched no tensor: when it looks like a hook name and the model has hooks, throws the hook map's
    /// error (the closest hook names, the number of layers) instead of a list of tensor names; returns otherwise.
    /// </summary>
    public void ThrowIfUnknownHook(string pattern)
    {
        if (Map is not null && LooksLikeHook(pattern)) Map.Select(pattern);
    }

    /// <summary>The name a user sees for a selected tensor: its hook name when it has one.</summary>
    public string DisplayName(string tensor) => HookNames.TryGetValue(tensor, out var names) ? names[0] : tensor;

    /// <summary>Every name a user selected a tensor by: all its selected hook names, or the tensor's own name.</summary>
    public IReadOnlyList<string> DisplayNames(string tensor) => HookNames.TryGetValue(tensor, out var names) ? names : [tensor];

    /// <summary>
    /// Resolves each pattern as hook names first (exact, or a glob such as <c>blocks.*.attn.hook_pattern</c>) when the
    /// model is recognised or <paramref name="hookMapFile"/> is given, and as tensor names or globs otherwise.
    /// A pattern that looks like a hook name on a model that cannot be hooked fails with the recogniser's reason.
    /// </summary>
    public static HookSelection Resolve(OnnxModel model, IEnumerable<string> patterns, string? hookMapFile = null) =>
        ResolveGroups(model, [[.. patterns]], hookMapFile)[0];

    /// <summary>
    /// Resolves several groups of patterns (say, what to patch and what to expose) against ONE prepared model, so
    /// every group's tensors exist in the same graph. All results share <see cref="Model"/>. With
    /// <paramref name="deferTensorPatterns"/> the non-hook patterns are left for the caller to resolve later (say,
    /// after a rewrite that creates the tensors they name).
    /// </summary>
    public static IReadOnlyList<HookSelection> ResolveGroups(OnnxModel model, IReadOnlyList<IReadOnlyList<string>> groups, string? hookMapFile = null,
                                                             bool deferTensorPatterns = false)
    {
        var all = groups.SelectMany(g => g).Distinct().ToList();
        HookedModel? hooked = null;
        UnrecognisedModelException? unrecognised = null;
        try { hooked = HookedModel.From(model, hookMapFile); }
        catch (UnrecognisedModelException e) { unrecognised = e; }

        var hookPatterns = hooked is null ? [] : all.Where(p => Matches(hooked.Map, p)).ToList();
        var tensorPatterns = all.Except(hookPatterns).ToList();
        // Tensors that exist only once the model is hooked (inside a merged decoder's If, or a fused op) are
        // found there; tensor names the file itself has keep the file's own graph.
        var target = hooked is not null && hookPatterns.Count == 0 && !AllMatch(model.Graph, tensorPatterns) && AllMatch(hooked.Model.Graph, tensorPatterns)
            ? hooked.Model
            : model;
        var pointsByPattern = new Dictionary<string, IReadOnlyList<HookPoint>>(StringComparer.Ordinal);
        if (hookPatterns.Count > 0)
        {
            var (ready, _) = hooked!.Prepare(hookPatterns);
            target = ready.Model;
            foreach (var pattern in hookPatterns) pointsByPattern[pattern] = ready.Map.Select(pattern);
        }
        return [.. groups.Select(group => Select(target, group, pointsByPattern, deferTensorPatterns ? null : unrecognised, deferTensorPatterns, hooked?.Map)
            with { Config = hooked?.Map.Config, Map = hooked?.Map })];
    }

    static HookSelection Select(OnnxModel target, IReadOnlyList<string> group, Dictionary<string, IReadOnlyList<HookPoint>> hookPoints,
                                UnrecognisedModelException? unrecognised, bool defer, HookMap? map)
    {
        var tensors = new List<string>();
        var names = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var point in group.Where(hookPoints.ContainsKey).SelectMany(p => hookPoints[p]))
        {
            tensors.Add(point.Tensor);
            names[point.Tensor] = [.. names.GetValueOrDefault(point.Tensor, []).Append(point.Name.Value).Distinct()];
        }
        var tensorPatterns = group.Where(p => !hookPoints.ContainsKey(p)).ToList();
        if (tensorPatterns.Count > 0 && !defer)
        {
            try { tensors.AddRange(TensorPattern.Resolve(target.Graph, tensorPatterns)); }
            catch (UnmatchedPatternException) when (unrecognised is not null && tensorPatterns.Any(LooksLikeHook))
            {
                throw new UnrecognisedModelException($"hook patterns ({string.Join(", ", tensorPatterns.Where(LooksLikeHook))}) need a recognised model or --hook-map FILE. {unrecognised.Message}");
            }
            catch (UnmatchedPatternException) when (map is not null && tensorPatterns.Any(LooksLikeHook))
            {
                // A misspelt hook name: the hook map's error lists the closest hook names (and the layer count), not tensors.
                foreach (var pattern in tensorPatterns.Where(LooksLikeHook)) map.Select(pattern);
                throw;
            }
        }
        return new HookSelection(target, [.. tensors.Distinct()], names, tensorPatterns);
    }

    static bool AllMatch(OnnxGraph graph, IReadOnlyList<string> patterns)
    {
        try { TensorPattern.Resolve(graph, patterns); return true; }
        catch (UnmatchedPatternException) { return false; }
    }

    static bool Matches(HookMap map, string pattern) =>
        map.Contains(pattern) || Hooks.HookNames.IsGlob(pattern) && map.Points.Any(p => Hooks.HookNames.Glob(pattern).IsMatch(p.Name));

    static bool LooksLikeHook(string pattern) =>
        pattern.StartsWith("blocks.", StringComparison.Ordinal) || pattern.StartsWith("hook_", StringComparison.Ordinal)
        || pattern.StartsWith("ln_final.", StringComparison.Ordinal);
}
