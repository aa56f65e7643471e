using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;
using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Hooks;

/// <summary>The models the GPT-2 recogniser must handle, and helpers to run hooks and read weights in tests.</summary>
public static class HookTestSupport
{
    /// <summary>External GPT-2 exports (../shared/models/external): plain TorchScript, ORT LayerNorm/FastGelu, fully fused.</summary>
    public static readonly string[] ExternalGpt2 =
        ["ort_gpt2model_pt13_opset11_nopast.onnx", "ort_gpt2_1layer_lnfused_nopast.onnx", "genai_tiny_random_gpt2_fp32_past.onnx"];

    /// <summary>The project's toy models (onnx-models/, trained by tools/ModelForge).</summary>
    public static readonly string[] ToyModels =
        ["attn-only-1l.onnx", "attn-only-2l.onnx", "modadd-p113.onnx", "tiny-gpt2.onnx", "tiny-gpt2-opset17.onnx", "tiny-gpt2-past.onnx", "tiny-gpt2-merged.onnx", "tiny-gpt2-dynamo.onnx",
         "tiny-gpt2-beam-search.onnx", "tiny-gpt2-greedy-search.onnx"];

    /// <summary>Folder of the toy models: onnx-models/, or ONNXINTERP_TOY_MODELS when set (to test freshly exported ones).</summary>
    public static string ToyFolder => Environment.GetEnvironmentVariable("ONNXINTERP_TOY_MODELS") is { Length: > 0 } dir ? dir : TestPaths.OnnxModels;

    public static string? Toy(string file) => Path.Combine(ToyFolder, file) is var p && File.Exists(p) ? p : null;

    public static IEnumerable<string> AvailableToys => ToyModels.Where(f => Toy(f) is not null);

    /// <summary>Loads "external/NAME" or "onnx-models/NAME" and recognises it.</summary>
    public static HookedModel Load(string label) => HookedModel.Load(PathOf(label));

    public static string PathOf(string label) => label.StartsWith("external/")
        ? TestPaths.External(label["external/".Length..])
        : Toy(label["onnx-models/".Length..]) ?? throw new FileNotFoundException(label);

    /// <summary>Random token feeds: batch 2, sequence min(5, n_ctx) (ids below 8: every vocabulary here is larger).</summary>
    public static IReadOnlyList<NamedTensor> FeedsFor(HookedModel m, int seed = 7) =>
        Feeds.Random(m.Model.Graph, seed, batch: 2, seq: SeqFor(m));

    public static int SeqFor(HookedModel m) => m.Map.Config.NCtx is > 0 and < 5 ? m.Map.Config.NCtx : 5;

    /// <summary>Runs the model with the hooks exposed; results keyed by hook name, plus "output:NAME" for the model's outputs.</summary>
    public static Dictionary<string, NamedTensor> Capture(HookedModel m, IEnumerable<HookPoint> points, IReadOnlyList<NamedTensor> feeds)
    {
        var list = points.ToList();
        var exposed = Expose.Apply(m.Model, list.Select(p => p.Tensor)).Model;
        using var compiled = SessionFactory.Compile(exposed, Device.Cpu);
        var outputs = compiled.Run(feeds);
        var result = list.ToDictionary(p => p.Name.Value, p => outputs[p.Tensor]);
        foreach (var o in m.Model.Graph.Outputs) result[$"output:{o}"] = outputs[o];
        return result;
    }

    /// <summary>Runs a model as it is and returns its outputs.</summary>
    public static IReadOnlyDictionary<string, NamedTensor> Outputs(OnnxModel model, IReadOnlyList<NamedTensor> feeds)
    {
        using var compiled = SessionFactory.Compile(model, Device.Cpu);
        return compiled.Run(feeds);
    }

    /// <summary>A weight's values (initializer, or Constant node output).</summary>
    public static float[] Weight(OnnxModel model, string tensor)
    {
        if (model.Graph.Initializers.TryGetValue(tensor, out var init)) return TensorProtos.ReadFloats(init, model.SourceFolder);
        var constant = model.Graph.Producer(tensor)?.Attribute("value")?.T ?? throw new InvalidOperationException($"'{tensor}' is not a constant");
        return TensorProtos.ReadFloats(constant);
    }

    /// <summary>Row-major flat index of a multi-index into a tensor of the given shape.</summary>
    public static long Index(long[] shape, params long[] at)
    {
        long flat = 0;
        for (int i = 0; i < shape.Length; i++) flat = flat * shape[i] + at[i];
        return flat;
    }

    public static float At(this NamedTensor t, params long[] at) => t.ToFloats()[Index(t.Shape, at)];

    public static void AssertClose(float expected, float actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)), $"{what}: expected {expected}, got {actual} (tolerance {tolerance})");
}
