using OnnxInterp.Analysis.Engine;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis;

/// <summary>
/// The front door for C# users (the role of TransformerLens's HookedTransformer): load an exported model, run it with a
/// cache of hooks, run it with C# functions at hooks, or run any <see cref="InterventionPlan"/>. Everything runs on one
/// <see cref="InterventionEngine"/>, whose compiled sessions this object owns. See docs/engine.md.
/// </summary>
public sealed class InterpModel : IDisposable
{
    /// <summary>Wraps a model already loaded (and possibly rewritten, e.g. a residual graph's).</summary>
    public InterpModel(HookedModel hooked, InterventionOptions? options = null)
    {
        options ??= new InterventionOptions();
        Hooked = hooked;
        Engine = new InterventionEngine(hooked, options);
    }

    /// <summary>Loads a model and recognises its hooks (or reads them from <paramref name="hookMap"/>).</summary>
    public static InterpModel Load(string path, string? hookMap = null, Device device = Device.Auto, int rowsPerRun = 32) =>
        new(HookedModel.Load(path, hookMap), new InterventionOptions(rowsPerRun, device));

    public HookedModel Hooked { get; }
    /// <summary>Every hook point with its tensor and layout, and the model's config.</summary>
    public HookMap Hooks => Hooked.Map;
    public InterventionEngine Engine { get; }

    /// <summary>GPT-2 token ids of <paramref name="text"/>, prefixed with BOS (50256) unless <paramref name="bos"/> is false.</summary>
    public static IReadOnlyList<long> Tokenize(string text, bool bos = true) => [.. bos ? [50256L] : Array.Empty<long>(), .. Gpt2Tokens.Encode(text)];

    /// <summary>The logits [1, pos, vocab] of one prompt and every hook matching the patterns (batch 1, by hook name).</summary>
    public (NamedTensor Logits, ActivationCache Cache) RunWithCache(IReadOnlyList<long> tokens, params string[] patterns)
    {
        var row = Engine.Run(new InterventionPlan([new PlanRow(tokens)], patterns))[0];
        return (row.Logits!, row.Reads);
    }

    /// <summary>The logits [batch, pos, vocab] of the rows run with C# functions at hooks.</summary>
    public NamedTensor RunWithHooks(IReadOnlyList<IReadOnlyList<long>> rows, params (string Hook, HookFunction Function)[] hooks) =>
        Engine.RunWithHooks(rows, hooks);

    /// <summary>The logits [1, pos, vocab] of one prompt run with C# functions at hooks.</summary>
    public NamedTensor RunWithHooks(IReadOnlyList<long> tokens, params (string Hook, HookFunction Function)[] hooks) =>
        Engine.RunWithHooks([tokens], hooks);

    /// <summary>Runs a plan: every row's logits and reads.</summary>
    public PlanResult Run(InterventionPlan plan) => Engine.Run(plan);

    /// <summary>
    /// Continues prompts, one engine plan per decoding step (past key/values where this model's graph has them; a merged
    /// decoder loads here as its no-past branch, so <see cref="Generator.Load"/> decodes it with past). See docs/generate.md.
    /// </summary>
    public GenerationResult Generate(GenerationRequest request, Action<GeneratedToken>? onToken = null) => new Generator(Engine).Generate(request, onToken);

    /// <summary>Continues one prompt (greedy unless <paramref name="sampling"/> says otherwise) with <paramref name="writes"/> at every step.</summary>
    public GeneratedSequence Generate(IReadOnlyList<long> prompt, int maxNewTokens = 20, SamplingSettings? sampling = null, params GenerationWrite[] writes) =>
        Generate(new GenerationRequest([new GenerationRow(prompt, writes)], maxNewTokens, sampling))[0];

    public void Dispose() => Engine.Dispose();
}
