using System.Text.Json;
using System.Text.RegularExpressions;
using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>
/// Reads a JSON hook map (format in docs/hooks.md): <c>config</c> (TransformerLens config names), <c>hooks</c> (hook
/// name -> tensor name or op pattern; names with <c>{l}</c> repeat for every layer) and <c>parameters</c>. Every
/// entry is resolved against the graph at load, and an entry that does not resolve fails naming the hook.
/// </summary>
internal static partial class HookMapFile
{
    public static HookMap Load(string file, OnnxModel model)
    {
        if (!File.Exists(file)) throw new HookMapException($"hook map file not found: {file}.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new HookMapException($"{file} is not valid JSON: {e.Message}", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new HookMapException($"{file} holds a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, but a hook map is an object {{\"config\": {{...}}, \"hooks\": {{...}}}}; see docs/hooks.md.");
            try
            {
                return Read(doc.RootElement, file, model);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                // System.Text.Json says "requires an element of type 'String'": say which file, and where the format is.
                throw new HookMapException($"{file}: a value has the wrong JSON type or is missing ({e.Message.TrimEnd('.')}); see docs/hooks.md for the hook-map format.", e);
            }
        }
    }

    static HookMap Read(JsonElement root, string file, OnnxModel model)
    {
        var config = ReadConfig(root, file);
        var matcher = new PatternMatcher(model);
        var points = new List<HookPoint>();
        if (root.TryGetProperty("hooks", out var hooks))
            foreach (var entry in hooks.EnumerateObject())
                foreach (var (name, l) in Expand(entry.Name, config.NLayers, file))
                    points.Add(Resolve(matcher, name, entry.Value, l, file));
        var parameters = new List<ParameterRef>();
        if (root.TryGetProperty("parameters", out var ps))
            foreach (var entry in ps.EnumerateObject())
                foreach (var (name, l) in Expand(entry.Name, config.NLayers, file))
                    parameters.Add(ReadParameter(model.Graph, name, entry.Value, l, file));
        points.AddRange(HeadResults(model, points, config));
        return new HookMap(points, config, parameters, $"hook map {Path.GetFileName(file)}");
    }

    /// <summary>
    /// <c>attn.hook_result</c>, derived on demand, for every block whose <c>hook_attn_out</c> is a linear layer
    /// (MatMul or Gemm with a constant weight) reading <c>hook_z</c> merged by one Reshape: then z, W_O and b_O are
    /// those of the graph itself, so the per-head split is exact whatever the architecture.
    /// </summary>
    static IEnumerable<HookPoint> HeadResults(OnnxModel model, List<HookPoint> points, HookConfig config)
    {
        if (config.NHeads <= 0 || config.DHead <= 0) yield break;
        var byName = points.ToDictionary(p => p.Name.Value, StringComparer.Ordinal);
        var q = new GraphQuery(model);
        for (int l = 0; l < config.NLayers; l++)
        {
            var name = HookName.At("blocks.{l}.attn.hook_result", l);
            if (byName.ContainsKey(name) || !byName.TryGetValue($"blocks.{l}.attn.hook_z", out var z) || !z.Layout.Equals(HookLayout.PerHead)
                || !byName.TryGetValue($"blocks.{l}.hook_attn_out", out var attnOut)
                || Linear.To(q, attnOut.Tensor) is not { } outProj || q.ProducerOf(outProj.Input, "Reshape")?.Inputs[0] != z.Tensor)
                continue;
            var request = new Rewrites.DerivedHeadResult.Request(z.Tensor, outProj.Output, outProj.Weight, outProj.Transposed, outProj.Bias,
                config.NHeads, config.DHead, model.Graph.FreshName(name), model.Graph.FreshName($"blocks.{l}.hook_attn_out"));
            yield return new HookPoint(name, request.ResultName, HookLayout.HeadResult, HookKind.Derived,
                "z times W_O split by head (the out projection that hook_attn_out names); the attention output is then recomputed as their sum plus b_O")
            { Derivation = new HeadResultDerivation(l, request) };
        }
    }

    static HookConfig ReadConfig(JsonElement root, string file)
    {
        var c = root.TryGetProperty("config", out var cfg) ? cfg : default;
        int Int(string key) => c.ValueKind == JsonValueKind.Object && c.TryGetProperty(key, out var v) ? v.GetInt32() : 0;
        string Str(string key, string fallback) => c.ValueKind == JsonValueKind.Object && c.TryGetProperty(key, out var v) ? v.GetString() ?? fallback : fallback;
        bool causal = c.ValueKind != JsonValueKind.Object || !c.TryGetProperty("causal", out var cv) || cv.GetBoolean();
        try
        {
            return new HookConfig(Str("architecture", "custom"), Int("n_layers"), Int("n_heads"), Int("d_model"), Int("d_head"),
                Int("d_mlp"), Int("d_vocab"), Int("n_ctx"), causal, Str("normalization", "LN"),
                c.ValueKind == JsonValueKind.Object && c.TryGetProperty("eps", out var eps) ? eps.GetDouble() : 0);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new HookMapException($"{file}: config values must be numbers (n_layers, n_heads, …, eps), strings (architecture, normalization) or true/false (causal): {e.Message}", e);
        }
    }

    /// <summary>
    /// A name with <c>{l}</c> (or <c>{l+1}</c>, <c>{l-1}</c>) once per layer, skipping block numbers outside
    /// [0, n_layers); other names once, with no layer.
    /// </summary>
    static IEnumerable<(string Name, int? Layer)> Expand(string name, int layers, string file)
    {
        if (!name.Contains("{l")) { yield return (name, null); yield break; }
        if (layers <= 0) throw new HookMapException($"{file}: '{name}' repeats per layer, so config.n_layers must be set.");
        for (int l = 0; l < layers; l++)
        {
            var expanded = Substitute(name, l);
            if (HookNames.LayerOf(expanded) is not { } block || block >= 0 && block < layers) yield return (expanded, l);
        }
    }

    public static string Substitute(string text, int? layer) => layer is null ? text
        : LayerTemplate().Replace(text, m => (layer.Value + (m.Groups[1].Success ? int.Parse(m.Groups[1].Value) : 0)).ToString());

    static HookPoint Resolve(PatternMatcher matcher, string name, JsonElement value, int? layer, string file)
    {
        try
        {
            if (!HookName.TryParse(name, out var hookName))
                throw new HookMapException("it is not a hook name: use dot-separated identifiers and block numbers without leading zeros, e.g. blocks.3.attn.hook_q");
            var layout = hookName.StandardLayout;
            string? note = null;
            string tensor;
            if (value.ValueKind == JsonValueKind.String) tensor = Substitute(value.GetString()!, layer);
            else if (value.ValueKind == JsonValueKind.Object)
            {
                if (value.TryGetProperty("layout", out var lv))
                    layout = new HookLayout([.. lv.EnumerateArray().Select(a => a.GetString()!)]);
                if (value.TryGetProperty("note", out var nv)) note = nv.GetString();
                tensor = value.TryGetProperty("tensor", out var tv) ? Substitute(tv.GetString()!, layer) : matcher.Tensor(value, layer);
            }
            else throw new HookMapException("expected a tensor name or an op pattern object");
            if (layout is null) throw new HookMapException("it is not a standard hook name, so give its \"layout\" (a list of axis names)");
            matcher.RequireComputed(tensor);
            return new HookPoint(hookName, tensor, layout, HookKind.Graph, note ?? (value.ValueKind == JsonValueKind.Object ? $"pattern {value.GetRawText()}" : null));
        }
        catch (HookMapException e) { throw new HookMapException($"{file}: hook '{name}': {e.Message}", e); }
        catch (InvalidOperationException e) { throw new HookMapException($"{file}: hook '{name}': a field has the wrong JSON type ({e.Message})", e); }
    }

    static ParameterRef ReadParameter(OnnxGraph graph, string name, JsonElement value, int? layer, string file)
    {
        string tensor = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetProperty("tensor").GetString()!;
        tensor = Substitute(tensor, layer);
        if (!graph.Contains(tensor)) throw new HookMapException($"{file}: parameter '{name}': no tensor '{tensor}' in the graph.");
        var axes = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("axes", out var av)
            ? av.EnumerateArray().Select(a => a.GetString()!).ToArray()
            : graph.TypeOf(tensor)?.Shape?.Select((_, i) => $"axis{i}").ToArray() ?? [];
        bool transposed = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("transposed", out var t) && t.GetBoolean();
        // "columns": [start, width] names one part of a fused weight (W_Q as the first third of a q/k/v projection).
        ColumnRange? columns = null;
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("columns", out var cv))
        {
            if (cv.ValueKind != JsonValueKind.Array || cv.GetArrayLength() != 2 || cv.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
                throw new HookMapException($"{file}: parameter '{name}': \"columns\" must be [start, width], e.g. [0, 768].");
            columns = new ColumnRange(cv[0].GetInt64(), cv[1].GetInt64());
        }
        return new ParameterRef(name, tensor, axes, transposed, columns, columns is null ? null : $"from the hook-map file, {columns}");
    }

    [GeneratedRegex(@"\{l([+-]\d+)?\}")]
    private static partial Regex LayerTemplate();
}
