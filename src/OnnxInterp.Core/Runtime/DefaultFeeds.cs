using OnnxInterp.Graph;

namespace OnnxInterp.Runtime;

/// <summary>
/// Builds placeholder feeds for a model's inputs: token ids 0, attention masks as <see cref="AttentionMaskFeed"/> builds
/// them, floats 0. Symbolic dimensions take <c>size</c>, except past-length dimensions (named "past...") which take 0 so
/// an analysis run feeds an empty cache, and total-length ones ("total..." or "a + b") which add up.
/// </summary>
public static class DefaultFeeds
{
    public static IReadOnlyList<NamedTensor> For(OnnxGraph graph, long size, IReadOnlyDictionary<string, long>? dims = null)
    {
        var feeds = new List<NamedTensor>();
        foreach (var input in graph.Inputs.Where(i => !graph.IsInitializer(i)))
        {
            var type = graph.TypeOf(input) ?? throw new ExecutionException($"input '{input}' has no declared type; feed it explicitly.");
            var shape = (type.Shape ?? throw new ExecutionException($"input '{input}' has no declared shape; feed it explicitly."))
                .Select(d => d.Value ?? SymbolSize(d.Param, size, dims)).ToArray();
            if (shape.FirstOrDefault(d => d < 0) is var negative and < 0)
                throw new ExecutionException($"input '{input}' declares a dimension of {negative} ({type}); sizes cannot be negative, so feed it explicitly or fix the export.");
            feeds.Add(input.Contains("mask", StringComparison.OrdinalIgnoreCase) ? AttentionMaskFeed.Of(input, type.ElementType, shape) : Filled(input, type.ElementType, shape, 0));
        }
        return feeds;
    }

    public static NamedTensor Filled(string name, ElementType type, long[] shape, int value) => Generated(name, type, shape, _ => value);

    /// <summary>A tensor whose element at row-major index i is <paramref name="valueAt"/>(i).</summary>
    public static NamedTensor Generated(string name, ElementType type, long[] shape, Func<long, int> valueAt)
    {
        long n = shape.Aggregate(1L, (a, b) => a > 0 && b > int.MaxValue / a ? long.MaxValue : a * b);
        if (n > Array.MaxLength)
            throw new ExecutionException($"input '{name}' would need {(n == long.MaxValue ? "more than 2^31" : n.ToString())} values ([{string.Join(", ", shape)}]) for a placeholder; feed it explicitly.");
        Array data = type switch
        {
            ElementType.Float => Values(n, i => (float)valueAt(i)),
            ElementType.Double => Values(n, i => (double)valueAt(i)),
            ElementType.Float16 => Values(n, i => (Half)valueAt(i)),
            ElementType.Int64 => Values(n, i => (long)valueAt(i)),
            ElementType.Int32 => Values(n, valueAt),
            ElementType.Bool => Values(n, i => valueAt(i) != 0),
            ElementType.UInt8 => Values(n, i => (byte)valueAt(i)),
            ElementType.Int8 => Values(n, i => (sbyte)valueAt(i)),
            _ => throw new ExecutionException($"cannot make a placeholder for input '{name}' of type {type}; feed it explicitly."),
        };
        return new NamedTensor(name, type, shape, data);
    }

    static T[] Values<T>(long n, Func<long, T> at)
    {
        var values = new T[n];
        for (long i = 0; i < n; i++) values[i] = at(i);
        return values;
    }

    static long SymbolSize(string? param, long size, IReadOnlyDictionary<string, long>? dims)
    {
        if (param is null) return size;
        if (dims is not null && dims.TryGetValue(param, out var given)) return given;
        if (param.Contains('+'))
            return param.Split('+').Sum(p => SymbolSize(p.Trim(), size, dims));
        if (param.StartsWith("past", StringComparison.OrdinalIgnoreCase)) return 0;
        return size;
    }
}
