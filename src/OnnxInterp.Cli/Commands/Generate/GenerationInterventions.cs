using System.Globalization;
using OnnxInterp.Analysis.Ablation;
using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Generate;

/// <summary>Reads <c>--ablate</c> and <c>--steer</c> into generation writes, with a description of each for the report.</summary>
public static class GenerationInterventions
{
    public static (GenerationWrite Write, string Label) Ablation(string text, string method, HookedModel model, IReadOnlyList<long> prompt, InterventionOptions options)
    {
        var (hook, heads) = text.LastIndexOf(':') is var colon and > 0 ? (text[..colon], text[(colon + 1)..]) : (text, null);
        var point = Point(model.Map, hook, "--ablate");
        HookSlice? slice = null;
        if (heads is not null)
        {
            if (point.Layout.IndexOf("head") < 0)
                throw new UsageException($"--ablate {text}: hook '{hook}' has layout {point.Layout} with no head axis; drop ':{heads}' or choose a per-head hook (attn.hook_z, hook_pattern).");
            var ids = heads.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h =>
                int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < model.Map.NHeads ? i
                    : throw new UsageException($"--ablate {text}: '{h}' is not a head of this model (0..{model.Map.NHeads - 1}).")).ToArray();
            slice = HookSlice.Of("head", ids);
        }
        WriteSource source = WriteSource.Zeros;
        if (method == "mean")
        {
            if (point.Layout.IndexOf("k_pos") >= 0)
                throw new UsageException($"--ablate-method mean: hook '{hook}' has a key axis that grows while generating, so its prompt mean does not fit later steps; use zero.");
            source = new WriteSource.Fed(MeanActivations.Compute(model, [hook], [prompt], options: options)[hook]);
        }
        return (new GenerationWrite(new HookWrite(hook, source, slice)), $"{method} ablation of {hook}{(heads is null ? "" : $" heads {heads}")}");
    }

    public static (GenerationWrite Write, string Label) Steering(string text, double alpha, WriteScope scope, HookMap map)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0 || equals == text.Length - 1)
            throw new UsageException($"--steer '{text}' must be HOOK=VECTOR.safetensors, e.g. blocks.1.hook_resid_pre=vec.safetensors.");
        var (hook, file) = (text[..equals], text[(equals + 1)..]);
        var point = Point(map, hook, "--steer");
        if (!File.Exists(file)) throw new FileNotFoundException($"steering vector file not found: {file}.", file);
        var tensors = SafeTensors.Load(file);
        var vector = tensors.Count == 1 ? tensors[0] : tensors.FirstOrDefault(t => t.Name == hook)
            ?? throw new UsageException($"--steer {text}: {file} holds {tensors.Count} tensors ({string.Join(", ", tensors.Select(t => t.Name))}) and none is named '{hook}'; keep one tensor or name it after the hook.");
        // The vector lines up with the hook's trailing axes (numpy broadcasting): [d_model] for the residual stream.
        var trailing = point.Layout.Axes.Skip(point.Layout.Rank - vector.Shape.Length).ToList();
        long expected = trailing.Count == 0 ? 0 : AxisSizes.TryOf(trailing[^1], map.Config, 1);
        if (vector.Shape.Length == 0 || vector.Shape.Length >= point.Layout.Rank || expected > 0 && vector.Shape[^1] != expected)
            throw new UsageException($"--steer {text}: the vector has shape [{string.Join(", ", vector.Shape)}] but hook '{hook}' {point.Layout} takes a vector of its last axis ({trailing.LastOrDefault() ?? point.Layout.Axes[^1]} = {(expected > 0 ? expected : "?")}); build one at this hook with `onnxinterp steer-vector`.");
        var scaled = NamedTensor.Float(hook, vector.Shape, [.. vector.ToFloats().Select(v => (float)(v * alpha))]);
        return (new GenerationWrite(new HookWrite(hook, new WriteSource.Add(scaled)), scope),
            $"steer: add {alpha.ToString(CultureInfo.InvariantCulture)} x {Path.GetFileName(file)} at {hook} ({ScopeName(scope)})");
    }

    public static WriteScope ParseScope(string? text) => (text ?? "all").ToLowerInvariant() switch
    {
        "all" => WriteScope.All,
        "prompt" => WriteScope.Prompt,
        "new" => WriteScope.NewTokens,
        var other => throw new UsageException($"--steer-at '{other}' is not a scope; use all, prompt or new."),
    };

    static string ScopeName(WriteScope scope) => scope switch { WriteScope.Prompt => "prompt only", WriteScope.NewTokens => "new tokens only", _ => "all positions" };

    static HookPoint Point(HookMap map, string hook, string option) =>
        map.TryGet(hook, out var point) ? point
            : throw new UsageException($"{option}: the model has no hook '{hook}'. `onnxinterp inspect MODEL` lists its hooks (e.g. blocks.0.hook_resid_pre).");
}
