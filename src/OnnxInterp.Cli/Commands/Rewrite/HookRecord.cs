using System.Text.Json;
using OnnxInterp.Graph;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Cli.Commands.Rewrite;

/// <summary>
/// Records in a rewritten file which hook each exposed output and each patch input stands for, so another pipeline can
/// map outputs to hooks without OnnxInterp: model metadata <c>onnxinterp.exposed_hooks</c> and
/// <c>onnxinterp.patch_hooks</c> (JSON objects, tensor or input name -> hook name), and a doc string on each declaration.
/// </summary>
public static class HookRecord
{
    public const string ExposedKey = "onnxinterp.exposed_hooks";
    public const string PatchKey = "onnxinterp.patch_hooks";

    public static OnnxModel Apply(OnnxModel model, IReadOnlyList<string> exposed, IReadOnlyList<PatchPoint> points, Func<string, string?> hookOf)
    {
        var graph = model.Graph.Clone();
        var exposedHooks = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in exposed)
        {
            var hook = hookOf(output) ?? (output.StartsWith(PatchPoint.PatchedPrefix, StringComparison.Ordinal) && hookOf(output[PatchPoint.PatchedPrefix.Length..]) is { } h ? h + " (patched)" : null);
            if (hook is null) continue;
            exposedHooks[output] = hook;
            graph.SetDocString(output, $"OnnxInterp hook {hook}");
        }
        var patchHooks = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var point in points)
        {
            if (hookOf(point.Tensor) is not { } hook) continue;
            foreach (var input in point.Inputs)
            {
                patchHooks[input] = hook;
                graph.SetDocString(input, $"OnnxInterp patch input of hook {hook} (tensor '{point.Tensor}')");
            }
        }
        var result = model.WithGraph(graph);
        if (exposedHooks.Count > 0) result = result.WithMetadata(ExposedKey, JsonSerializer.Serialize(exposedHooks));
        if (patchHooks.Count > 0) result = result.WithMetadata(PatchKey, JsonSerializer.Serialize(patchHooks));
        return result;
    }
}
