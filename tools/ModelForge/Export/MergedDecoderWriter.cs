using OnnxInterp.ModelForge.Models;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.ModelForge.Export;

/// <summary>
/// optimum's legacy merged decoder, laid out as its <c>merge_decoders</c> writes it: one top-level <c>If</c>
/// ("optimum::if") on a bool [1] input <c>use_cache_branch</c>; then_branch is the with-past graph, else_branch the
/// no-past graph (which still outputs presents); both branches read the inputs and the initializers of the top
/// graph and keep their own node and tensor names, which repeat across the two branches.
/// </summary>
public static class MergedDecoderWriter
{
    public const string UseCacheBranch = "use_cache_branch";

    public static ModelProto Build(TransformerConfig config, IReadOnlyList<TensorProto> weights)
    {
        var noPast = TransformerGraphWriter.Build(config, weights, ExportOptions.PresentsOnly);
        var withPast = TransformerGraphWriter.Build(config, weights, ExportOptions.Past);
        var merged = new GraphProto { Name = "merged" };

        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in noPast.Graph.Initializer.Concat(withPast.Graph.Initializer))
        {
            if (initializers.TryGetValue(tensor.Name, out var seen))
            {
                if (!seen.Equals(tensor)) throw new InvalidOperationException($"the two decoders disagree on initializer '{tensor.Name}'.");
                continue;
            }
            initializers[tensor.Name] = tensor;
            merged.Initializer.Add(tensor);
        }
        foreach (var input in noPast.Graph.Input.Concat(withPast.Graph.Input).DistinctBy(i => i.Name))
            merged.Input.Add(input);
        merged.Input.Add(TensorProtos.ValueInfo(UseCacheBranch, TensorProtos.Bool, 1));
        if (!noPast.Graph.Output.Select(o => o.Name).SequenceEqual(withPast.Graph.Output.Select(o => o.Name)))
            throw new InvalidOperationException("the two decoders must have the same outputs in the same order.");
        merged.Output.AddRange(withPast.Graph.Output);

        var ifNode = new NodeProto { Name = "optimum::if", OpType = "If" };
        ifNode.Input.Add(UseCacheBranch);
        ifNode.Output.AddRange(merged.Output.Select(o => o.Name));
        ifNode.Attribute.Add(Branch("then_branch", "with_past", withPast.Graph));
        ifNode.Attribute.Add(Branch("else_branch", "no_past", noPast.Graph));
        merged.Node.Add(ifNode);

        var model = noPast.Clone();
        model.Graph = merged;
        return model;
    }

    static AttributeProto Branch(string attribute, string name, GraphProto decoder)
    {
        var body = new GraphProto { Name = name };
        body.Node.AddRange(decoder.Node);
        body.Output.AddRange(decoder.Output);
        return new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Graph, G = body };
    }
}
