using OnnxInterp.Graph;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>
/// ONNX Runtime's generation pipelines (<c>com.microsoft</c> BeamSearch, GreedySearch, Sampling, as onnxruntime.transformers'
/// <c>convert_generation.py</c> writes them) hold the decoder as a graph attribute of one node. Analysis runs on that
/// decoder as the model (<see cref="LiftSubgraph"/>: its own inputs and outputs, the outer initializers it reads).
/// <para>
/// When the node has an <c>init_decoder</c>, that one is taken: ONNX Runtime runs it on the whole prompt with an empty
/// past, and <c>decoder</c> only on later steps, one new token each. convert_generation.py writes a separate init decoder
/// precisely when the decoder cannot run a prompt (its DecoderMaskedSelfAttention takes one query token), so the init
/// decoder is the graph that computes what every analysis feeds: a prompt, no past. Without one, <c>decoder</c> runs the
/// prompt too. Only decoder-only pipelines (<c>model_type</c> 0, GPT-2) are taken; encoder-decoder ones are refused.
/// </para>
/// </summary>
internal static class GenerationDecoder
{
    static readonly HashSet<string> SearchOps = ["BeamSearch", "GreedySearch", "Sampling"];

    /// <summary>
    /// The decoder of the model's generation op as a standalone model, with what was done added to <paramref name="changes"/>;
    /// the model itself when it has no generation op. Throws <see cref="UnrecognisedModelException"/> (one line saying what
    /// to do) when the op carries no decoder, more than one op does, or the decoder is not decoder-only.
    /// </summary>
    public static OnnxModel Lift(OnnxModel model, List<string> changes)
    {
        var searches = model.Graph.Nodes.Where(n => n.Domain == "com.microsoft" && SearchOps.Contains(n.OpType)).ToList();
        if (searches.Count == 0) return model;
        if (searches.Count > 1)
            throw new UnrecognisedModelException(
                $"the model holds {searches.Count} generation ops ({string.Join(", ", searches.Select(Describe))}), so which decoder to analyse is ambiguous; analyse one pipeline per model, or the decoder model itself.");
        var node = searches[0];
        if (node.Attribute("model_type") is { I: not 0 and var type })
            throw new UnrecognisedModelException(
                $"{Describe(node)} has model_type {type} ({(type == 2 ? "Whisper" : "encoder-decoder")}); only decoder-only pipelines (model_type 0, GPT-2) can be analysed. Analyse a decoder-only model instead.");
        var attribute = node.Attribute("init_decoder")?.G is not null ? "init_decoder"
            : node.Attribute("decoder")?.G is not null ? "decoder"
            : throw new UnrecognisedModelException(
                $"{Describe(node)} carries no decoder subgraph (no graph attribute 'decoder' or 'init_decoder'), so there is nothing to analyse; export the pipeline with its decoder (onnxruntime.transformers' convert_generation.py does), or analyse the decoder model itself.");
        OnnxModel lifted;
        try { lifted = LiftSubgraph.Apply(model, node, attribute).Model; }
        catch (GraphException e) { throw new UnrecognisedModelException($"{e.Message.TrimEnd('.')}. Analyse the decoder model itself."); }
        changes.Add($"took the {attribute} subgraph of {Describe(node)} as the model (" + (attribute == "init_decoder"
            ? "ONNX Runtime runs it on the prompt with an empty past; 'decoder' runs the later steps)"
            : "it has no init_decoder, so this decoder also runs the prompt, with an empty past)"));
        return lifted;
    }

    static string Describe(Node n) => $"com.microsoft.{n.OpType} '{(n.Name.Length > 0 ? n.Name : n.Outputs.FirstOrDefault())}'";
}
