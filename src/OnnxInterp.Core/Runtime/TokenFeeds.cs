using OnnxInterp.Graph;
using OnnxInterp.Rewrites;

namespace OnnxInterp.Runtime;

/// <summary>
/// Feeds for a language model that takes token ids (a graph input named <c>input_ids</c>), one sequence at
/// batch 1: the ids, an attention mask (<see cref="AttentionMaskFeed"/>: ones, or lower-triangular when 4-D), position ids 0..n-1, and empty past key/value inputs (past
/// length 0), as Hugging Face, optimum and ORT GPT-2 exports expect. Dimensions are resolved by the symbolic
/// names <c>input_ids</c> uses for batch and sequence, so a mask declared [batch, total_seq] gets [1, n].
/// Patch-point inputs of a rewritten model are fed inactive (mask false), so the run reproduces the original.
/// </summary>
public static class TokenFeeds
{
    public const string InputIds = "input_ids";

    public static bool Accepts(OnnxGraph graph) => graph.IsGraphInput(InputIds) && !graph.IsInitializer(InputIds);

    /// <summary>An inactive patch input: size 1 (or the fixed size) on each axis of the declared rank (a saved rewrite declares its patched tensor's rank), a scalar when undeclared.</summary>
    static long[] Ones(TensorType? type) => type?.Shape is { } shape ? [.. shape.Select(d => d.Value ?? 1L)] : [];

    /// <summary>
    /// Builds every non-weight input from <paramref name="ids"/>, except those in <paramref name="fedElsewhere"/>.
    /// An input that cannot be derived from token ids raises <see cref="FeedException"/> naming it.
    /// </summary>
    public static IReadOnlyList<NamedTensor> For(OnnxGraph graph, IReadOnlyList<long> ids, IEnumerable<string>? fedElsewhere = null)
    {
        if (!Accepts(graph))
            throw new FeedException($"the model has no '{InputIds}' input, so it does not take token ids. Its inputs are: {string.Join(", ", graph.Inputs.Where(i => !graph.IsInitializer(i)))}. Feed them with --input NAME=FILE.");
        if (ids.Count == 0) throw new FeedException("no token ids were given; a prompt must have at least one token.");
        var skip = new HashSet<string>(fedElsewhere ?? [], StringComparer.Ordinal);
        var idsType = graph.TypeOf(InputIds);
        var symbols = Symbols(idsType, ids.Count);
        long[] idsShape = idsType?.Shape?.Count == 1 ? [ids.Count] : [1, ids.Count];
        var feeds = new List<NamedTensor>();
        foreach (var input in graph.Inputs.Where(i => !graph.IsInitializer(i) && !skip.Contains(i)))
        {
            var type = graph.TypeOf(input);
            var element = type?.ElementType is { } e and not ElementType.Undefined ? e : ElementType.Int64;
            var lower = input.ToLowerInvariant();
            if (input == InputIds)
                feeds.Add(Integers(input, element, idsShape, ids));
            else if (input.StartsWith(PatchPoint.MaskPrefix, StringComparison.Ordinal))
                feeds.Add(DefaultFeeds.Filled(input, ElementType.Bool, Ones(type), 0));
            else if (input.StartsWith(PatchPoint.SourcePrefix, StringComparison.Ordinal))
                feeds.Add(DefaultFeeds.Filled(input, element, Ones(type), 0));
            else if (input.StartsWith(PatchPoint.RowsPrefix, StringComparison.Ordinal))
                feeds.Add(Integers(input, ElementType.Int64, [1], [0]));
            else if (lower.Contains("position"))
                feeds.Add(Integers(input, element, idsShape, [.. Enumerable.Range(0, ids.Count).Select(i => (long)i)]));
            else if (lower.Contains("token_type"))
                feeds.Add(DefaultFeeds.Filled(input, element, idsShape, 0));
            else if (lower.Contains("mask"))
                feeds.Add(AttentionMaskFeed.Of(input, element, Resolve(input, type, symbols, ids.Count, past: false)));
            else if (lower.Contains("past"))
                feeds.Add(DefaultFeeds.Filled(input, element, Resolve(input, type, symbols, ids.Count, past: true), 0));
            else if (lower.Contains("use_cache"))
                feeds.Add(DefaultFeeds.Filled(input, element, Resolve(input, type, symbols, ids.Count, past: true), 0));
            else
                throw new FeedException($"input '{input}' ({type?.ToString() ?? "undeclared"}) cannot be derived from token ids; feed it explicitly with --input {input}=FILE.");
        }
        return feeds;
    }

    static NamedTensor Integers(string name, ElementType type, long[] shape, IReadOnlyList<long> values) => type switch
    {
        ElementType.Int64 => new NamedTensor(name, type, shape, values.ToArray()),
        ElementType.Int32 => new NamedTensor(name, type, shape, values.Select(v => (int)v).ToArray()),
        _ => throw new FeedException($"input '{name}' has element type {type.ToString().ToLowerInvariant()}; token and position ids must be int64 or int32."),
    };

    /// <summary>Sizes for the symbolic dimensions input_ids declares: its batch dimension is 1, its sequence dimension n.</summary>
    static Dictionary<string, long> Symbols(TensorType? idsType, int n)
    {
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        if (idsType?.Shape is { Count: 2 } shape)
        {
            if (shape[0].Param is { } batch) symbols[batch] = 1;
            if (shape[1].Param is { } sequence) symbols.TryAdd(sequence, n);
        }
        else if (idsType?.Shape is { Count: 1 } flat && flat[0].Param is { } sequence)
            symbols[sequence] = n;
        return symbols;
    }

    /// <summary>
    /// Concrete shape for a mask or past input. Unresolved symbols: a batch-like one is 1; in a past input the
    /// rest are the past length, 0; elsewhere the first axis of a matrix is the batch and the rest span the sequence.
    /// </summary>
    static long[] Resolve(string input, TensorType? type, Dictionary<string, long> symbols, int n, bool past)
    {
        if (type?.Shape is not { } shape)
            throw new FeedException($"input '{input}' declares no shape, so its size cannot be derived; feed it explicitly with --input {input}=FILE.");
        return [.. shape.Select((dim, axis) => dim.Value ?? Size(dim.Param, axis, shape.Count, symbols, n, past))];
    }

    static long Size(string? param, int axis, int rank, Dictionary<string, long> symbols, int n, bool past)
    {
        if (param is not null)
        {
            if (symbols.TryGetValue(param, out var known)) return known;
            if (param.Contains('+'))
                return param.Split('+').Sum(part => long.TryParse(part.Trim(), out var literal) ? literal : Size(part.Trim(), axis, rank, symbols, n, past));
            if (param.Contains("batch", StringComparison.OrdinalIgnoreCase)) return 1;
            if (param.Contains("past", StringComparison.OrdinalIgnoreCase)) return 0;
        }
        if (past) return 0;
        return axis == 0 && rank >= 2 ? 1 : n;
    }
}
