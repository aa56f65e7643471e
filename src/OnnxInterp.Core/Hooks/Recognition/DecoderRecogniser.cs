using System.Globalization;
using OnnxInterp.Graph;

namespace OnnxInterp.Hooks.Recognition;

/// <summary>
/// Recognises a decoder-only transformer (GPT-2 as torch.onnx exports it, and the project's toy models) by op
/// pattern: every Softmax must be an attention core (<see cref="Attention"/>); its q, k and v come from linear
/// projections of one tensor (ln1's output, or the residual stream when there is no LayerNorm); the attention output
/// is added back to the residual stream; an optional MLP (linear, activation, linear) is added after it; blocks
/// chain through the residual stream. Node names are never needed; where they carry scopes
/// (<c>/transformer/h.3/</c>, <c>/blocks.3/</c>, dynamo name_scopes) they must agree with the order found.
/// </summary>
internal static class DecoderRecogniser
{
    public static Decoder Recognise(GraphQuery q)
    {
        var order = TopologicalIndex(q.Graph);
        var softmaxes = q.Graph.Nodes.Where(n => n.OpType == "Softmax" && n.Outputs.Count > 0).OrderBy(n => order[n.Outputs[0]]).ToList();
        if (softmaxes.Count == 0) throw new RecognitionException("the graph has no Softmax, so no attention was found.");

        var attentions = softmaxes.Select((s, l) => Wrap(l, () => Attention.Match(q, s))).ToList();
        var partial = attentions.Select((a, l) => Wrap(l, () => BlockStart(q, l, a))).ToList();
        var blocks = new List<Block>();
        for (int l = 0; l < partial.Count; l++)
        {
            var next = l + 1 < partial.Count ? partial[l + 1].ResidPre : null;
            blocks.Add(Wrap(l, () => WithMlp(q, partial[l], next)));
            if (Scopes.LayerOf(softmaxes[l]) is { } scoped && scoped != l)
                throw new RecognitionException($"{Attention.Describe(softmaxes[l])} is block {l} in graph order but its scope says block {scoped}.");
        }

        var last = blocks[^1].ResidPost;
        var lnFinal = LayerNorm.From(q, last).FirstOrDefault();
        var unembed = Linear.From(q, lnFinal?.Output ?? last).FirstOrDefault();
        var (embed, pos) = Embeddings(q, blocks[0].ResidPre);
        var config = Config(q, blocks, unembed, embed, pos);
        return new Decoder(embed, pos, blocks, lnFinal, unembed, config, Evidence(q, blocks, softmaxes));
    }

    /// <summary>What matched, for <see cref="HookMap.Source"/>: "12 attention blocks matched by op pattern (decomposed LayerNorm, Gemm linears)".</summary>
    static string Evidence(GraphQuery q, List<Block> blocks, List<Node> softmaxes)
    {
        var first = blocks[0];
        var norm = first.Ln1 is null ? "no LayerNorm" : first.Ln1.Fused is null ? "decomposed LayerNorm" : "LayerNormalization";
        var linear = first.Attn.Out.Output is var o && q.ProducerOf(o, "Reshape") is not null ? "Gemm" : "MatMul";
        var scopes = softmaxes.Any(s => Scopes.LayerOf(s) is not null) ? ", scopes agree" : "";
        return $"{blocks.Count} attention blocks matched by op pattern ({norm}, {linear} linears{scopes})";
    }

    static T Wrap<T>(int layer, Func<T> step)
    {
        try { return step(); }
        catch (RecognitionException e) { throw new RecognitionException($"block {layer}: {e.Message}"); }
    }

    /// <summary>Block fields up to the residual add after attention (MLP filled in by <see cref="WithMlp"/>).</summary>
    static Block BlockStart(GraphQuery q, int l, Attention a)
    {
        var x = a.Input;
        if (x.Length == 0) throw new RecognitionException($"q of {Attention.Describe(a.Softmax)} does not come from a linear projection.");
        foreach (var (h, name) in new[] { (a.K, "k"), (a.V, "v") })
            if (h.Projection?.Linear.Input != x)
                throw new RecognitionException($"{name} of {Attention.Describe(a.Softmax)} is not projected from the same tensor as q ('{x}').");
        var ln1 = LayerNorm.To(q, x);
        if (ln1 is null && LooksLikeLayerNormOutput(q, x))
            throw new RecognitionException($"attention reads '{x}', which is computed like a LayerNorm (ReduceMean, Sub, Div, ...) whose form the LayerNorm matcher does not know; " +
                "the residual stream is that LayerNorm's input. Give --hook-map FILE for this model.");
        var residPre = ln1?.Input ?? x;
        var mid = q.ConsumersThroughCasts(residPre, "Add").FirstOrDefault(n => n.Inputs.Contains(a.Out.Output) && q.SameValue(GraphQuery.Other(n, a.Out.Output), residPre))
            ?? throw new RecognitionException(
                $"the attention output '{a.Out.Output}' is not added to the residual stream '{residPre}' that feeds attention" +
                (ln1 is not null && LayerNorm.To(q, residPre) is not null || ln1 is not null && q.ConsumersOf(x, "Add").Any(n => GraphQuery.Other(n, x) == a.Out.Output)
                    ? ": it is added after a LayerNorm, a post-LN block (BERT-style encoder), which the decoder recogniser does not handle."
                    : "."));
        return new Block(l, residPre, ln1, a, mid.Outputs[0], null, null, null, mid.Outputs[0]);
    }

    /// <summary>Whether a ReduceMean over a tensor that also feeds a Sub lies within a few ops above <paramref name="x"/>: a LayerNorm in some form.</summary>
    static bool LooksLikeLayerNormOutput(GraphQuery q, string x)
    {
        var frontier = new List<string> { x };
        for (int depth = 0; depth < 6 && frontier.Count > 0; depth++)
        {
            var producers = frontier.Select(t => q.Producer(t)).OfType<Node>().ToList();
            if (producers.Any(p => p.OpType == "ReduceMean" && q.ConsumersOf(p.Inputs[0], "Sub").Any())) return true;
            frontier = [.. producers.Where(p => p.OpType is not ("MatMul" or "Gemm" or "Softmax")).SelectMany(p => p.Inputs).Where(i => i.Length > 0 && !q.IsConstant(i))];
        }
        return false;
    }

    static Block WithMlp(GraphQuery q, Block b, string? next)
    {
        var mid = b.ResidMid;
        if (next == mid) return b;
        var add = q.ConsumersThroughCasts(mid, "Add").FirstOrDefault(n => MlpAddend(q, n, mid) is { } o && q.DependsOn(o, mid)
                                                                          && (next is null || n.Outputs[0] == next));
        if (add is null)
        {
            if (next is null) return b;
            throw new RecognitionException($"the residual stream after attention ('{mid}') does not reach the next block's input ('{next}') through one Add (MLP output).");
        }
        var mlpOut = MlpAddend(q, add, mid)!;
        var outLinear = Linear.To(q, mlpOut) ?? throw new RecognitionException($"the MLP output '{mlpOut}' is not produced by a linear layer.");
        var post = outLinear.Input;
        var ln2 = LayerNorm.From(q, mid).FirstOrDefault(ln => q.DependsOn(post, ln.Output));
        var inLinear = Linear.From(q, ln2?.Output ?? mid).FirstOrDefault(li => q.DependsOn(post, li.Output))
            ?? throw new RecognitionException($"no linear layer reads {(ln2 is null ? $"'{mid}'" : "ln2's output")} on the way to the MLP activation '{post}'.");
        return b with { Ln2 = ln2, MlpIn = inLinear, MlpOut = outLinear, ResidPost = add.Outputs[0] };
    }

    /// <summary>The input of a residual Add other than the stream <paramref name="mid"/> (read directly or through a Cast), or null.</summary>
    static string? MlpAddend(GraphQuery q, Node add, string mid) =>
        add.Inputs.Count == 2 && q.SameValue(add.Inputs[0], mid) != q.SameValue(add.Inputs[1], mid)
            ? add.Inputs[q.SameValue(add.Inputs[0], mid) ? 1 : 0] : null;

    static (Embedding?, Embedding?) Embeddings(GraphQuery q, string residPre0)
    {
        if (Lookup(q, residPre0) is { } only) return (only, null);
        if (q.ProducerOf(residPre0, "Add") is not { } add || Lookup(q, add.Inputs[0]) is not { } a || Lookup(q, add.Inputs[1]) is not { } b)
            return (null, null);
        var (tokens, positions) = Classify(q, a, b);
        // Positions computed in the graph (Range, or a Slice of W_pos) have no batch axis, or a batch axis of 1:
        // expand them over the batch so hook_pos_embed keeps its [batch, pos, d_model] layout.
        return GraphInputsRead(q, positions).Count == 0 ? (tokens, positions with { BroadcastLike = tokens.Output }) : (tokens, positions);
    }

    static (Embedding Tokens, Embedding Positions) Classify(GraphQuery q, Embedding a, Embedding b)
    {
        bool aTokens = GraphInputsRead(q, a).Any(i => !i.Contains("position", StringComparison.OrdinalIgnoreCase));
        bool bTokens = GraphInputsRead(q, b).Any(i => !i.Contains("position", StringComparison.OrdinalIgnoreCase));
        if (aTokens != bTokens) return aTokens ? (a, b) : (b, a);
        bool aPos = LooksPositional(a.Table), bPos = LooksPositional(b.Table);
        if (aPos != bPos) return aPos ? (b, a) : (a, b);
        throw new RecognitionException($"cannot tell the token embedding from the position embedding among '{a.Table}' and '{b.Table}'.");
    }

    static bool LooksPositional(string table) =>
        table.Contains("wpe") || table.Contains("pos", StringComparison.OrdinalIgnoreCase);

    /// <summary>A Gather from a constant [rows, d_model] table (possibly behind Reshape/Cast/Identity), or a Slice of its first axis.</summary>
    static Embedding? Lookup(GraphQuery q, string t)
    {
        var cur = t;
        for (int i = 0; i < 4 && q.Producer(cur) is { } p; i++)
        {
            if (p.OpType is "Gather" or "Slice" && q.IsConstant(p.Inputs[0]) && q.ConstantDims(p.Inputs[0]) is { Count: 2 }
                && (p.OpType == "Gather" || i == 0 && p.Inputs.Count > 3 && q.Values(p.Inputs[3]) is [0]))
                return new Embedding(t, p.Inputs[0]);
            if (p.OpType is not ("Reshape" or "Cast" or "Identity" or "Dropout")) return null;
            cur = p.Inputs[0];
        }
        return null;
    }

    /// <summary>Graph inputs the lookup's indices are computed from (not through Shape: a Range over the length reads none).</summary>
    static IReadOnlyList<string> GraphInputsRead(GraphQuery q, Embedding e)
    {
        var lookup = q.Producer(e.Output)!;
        while (lookup.OpType is not ("Gather" or "Slice")) lookup = q.Producer(lookup.Inputs[0])!;
        var found = new List<string>();
        var stack = new Stack<string>(lookup.Inputs.Skip(1).Where(i => i.Length > 0));
        var seen = new HashSet<string>();
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!seen.Add(t)) continue;
            if (q.Graph.IsGraphInput(t) && !q.Graph.IsInitializer(t)) found.Add(t);
            else if (q.Producer(t) is { } p && p.OpType is not ("Shape" or "Size"))
                foreach (var i in p.Inputs.Where(i => i.Length > 0)) stack.Push(i);
        }
        return found;
    }

    static HookConfig Config(GraphQuery q, List<Block> blocks, Linear? unembed, Embedding? embed, Embedding? pos)
    {
        var first = blocks[0].Attn;
        long width = first.Q.Projection?.Width ?? 0;
        int heads = HeadsFrom(q, first.Q.ReshapeShape, width)
            ?? (int.TryParse(q.Model.Metadata("onnxinterp.n_heads"), out var h) ? h : 0);
        if (heads <= 0 || width % heads != 0)
            throw new RecognitionException("cannot tell the number of heads from the head-splitting Reshape; set it in a hook map's config (docs/hooks.md) or the model metadata onnxinterp.n_heads.");
        int dModel = (int)(first.Out.Features(q)?.Out ?? (embed is null ? 0 : q.ConstantDims(embed.Table)![1]));
        int dMlp = (int)(blocks.FirstOrDefault(b => b.HasMlp)?.MlpIn!.Features(q)?.Out ?? 0);
        int vocab = (int)(unembed?.Features(q)?.Out ?? (embed is null ? 0 : q.ConstantDims(embed.Table)![0]));
        int nCtx = pos is null ? 0 : (int)q.ConstantDims(pos.Table)![0];
        var norm = blocks[0].Ln1 is null ? "none" : "LN";
        var architecture = q.Model.Metadata("onnxinterp.architecture")
            ?? (dMlp == 0 ? "attn-only" : norm == "none" ? "decoder" : "gpt2");
        return new HookConfig(architecture, blocks.Count, heads, dModel, (int)(width / heads), dMlp, vocab, nCtx, true, norm,
            blocks[0].Ln1 is { } ln ? AsWritten((float)ln.Epsilon) : 0);
    }

    /// <summary>A float32 constant as the exporter wrote it (1e-5f reads back as 1e-5, not 9.99999974737875E-06).</summary>
    static double AsWritten(float value) => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>
    /// Heads from the Reshape target [b, s, h, d]: a constant h, or h = width / constant d. The target may be a
    /// constant or a Concat of pieces: constants, <c>Shape(x, start, end)</c> slices and one-element run-time sizes.
    /// </summary>
    static int? HeadsFrom(GraphQuery q, string shape, long width)
    {
        double?[] dims = q.Values(shape) is { Length: 4 } v ? [.. v.Select(x => (double?)x)]
            : q.ProducerOf(shape, "Concat") is { } c ? [.. c.Inputs.SelectMany(i => ShapePiece(q, i))] : [];
        if (dims.Length != 4) return null;
        if (dims[2] is > 0 and var h) return (int)h;
        if (dims[3] is > 0 and var d && width % (long)d == 0) return (int)(width / (long)d);
        return null;
    }

    /// <summary>The values of one Concat input of a shape: known constants, or nulls for run-time sizes.</summary>
    static IEnumerable<double?> ShapePiece(GraphQuery q, string input)
    {
        if (q.Values(input) is { } constant) return constant.Select(x => (double?)x);
        if (q.ProducerOf(input, "Shape") is { } s && s.IntAttribute("start") is { } start and >= 0 && s.IntAttribute("end") is { } end and > 0)
            return Enumerable.Repeat<double?>(null, (int)Math.Max(0, end - start));
        return [null];
    }

    static Dictionary<string, int> TopologicalIndex(OnnxGraph graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var sorted = graph.Clone().TopologicalSort().Nodes;
        for (int i = 0; i < sorted.Count; i++)
            foreach (var o in sorted[i].Outputs) index[o] = i;
        return index;
    }
}
