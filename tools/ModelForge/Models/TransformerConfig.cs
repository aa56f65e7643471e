namespace OnnxInterp.ModelForge.Models;

/// <summary>Shape of a decoder-only transformer. <see cref="DMlp"/> 0 means attention-only.</summary>
public sealed record TransformerConfig(Architecture Architecture, int Layers, int Heads, int DModel, int DHead, int DMlp, int NCtx, int Vocab)
{
    public bool HasMlp => DMlp > 0;
    public bool HasLayerNorm => Architecture != Architecture.ModAdd;
    public bool UsesGpt2Names => Architecture == Architecture.Gpt2;
    public int AttentionWidth => Heads * DHead;
    public const double LayerNormEpsilon = 1e-5;

    /// <summary>Value of the <c>onnxinterp.architecture</c> metadata entry.</summary>
    public string MetadataName => Architecture switch
    {
        Architecture.Gpt2 => "gpt2",
        Architecture.AttnOnly => "attn-only",
        _ => "modadd",
    };

    public static TransformerConfig TinyGpt2 => new(Architecture.Gpt2, 4, 4, 64, 16, 256, 64, 50257);
    public static TransformerConfig Gpt2Small => new(Architecture.Gpt2, 12, 12, 768, 64, 3072, 1024, 50257);
    public static TransformerConfig AttnOnly(int layers) => new(Architecture.AttnOnly, layers, 4, 64, 16, 0, 48, 512);
    public static TransformerConfig ModAdd => new(Architecture.ModAdd, 1, 4, 128, 32, 512, 3, 114);

    /// <summary>The GPT-2 config an export of this forge records in its metadata (<see cref="Metadata"/>).</summary>
    public static TransformerConfig Gpt2FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        int Get(string key) => metadata.TryGetValue($"onnxinterp.{key}", out var v) && int.TryParse(v, out var n)
            ? n
            : throw new ArgumentException($"the model's metadata has no onnxinterp.{key}; it was not exported by this forge.");
        if (metadata.GetValueOrDefault("onnxinterp.architecture") != "gpt2")
            throw new ArgumentException("the model is not a GPT-2 export of this forge (metadata onnxinterp.architecture is not gpt2).");
        return new(Architecture.Gpt2, Get("n_layers"), Get("n_heads"), Get("d_model"), Get("d_head"), Get("d_mlp"), Get("n_ctx"), Get("d_vocab"));
    }

    /// <summary>Config entries written as ONNX metadata (TransformerLens config names).</summary>
    public IEnumerable<KeyValuePair<string, string>> Metadata()
    {
        yield return new("onnxinterp.architecture", MetadataName);
        yield return new("onnxinterp.n_layers", Layers.ToString());
        yield return new("onnxinterp.n_heads", Heads.ToString());
        yield return new("onnxinterp.d_model", DModel.ToString());
        yield return new("onnxinterp.d_head", DHead.ToString());
        yield return new("onnxinterp.d_mlp", DMlp.ToString());
        yield return new("onnxinterp.n_ctx", NCtx.ToString());
        yield return new("onnxinterp.d_vocab", Vocab.ToString());
        yield return new("onnxinterp.act_fn", !HasMlp ? "none" : Architecture == Architecture.Gpt2 ? "gelu_new" : "relu");
        yield return new("onnxinterp.normalization_type", HasLayerNorm ? "LN" : "none");
        yield return new("onnxinterp.positional_embedding_type", "standard");
    }
}
