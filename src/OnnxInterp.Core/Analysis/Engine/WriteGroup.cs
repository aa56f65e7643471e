using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// Every write of a plan on one tensor as one consumer set sees it (all consumers, or those leading to one receiver):
/// one write point whose slots are zero, fed, added and k row-gathers (k = the most distinct source rows one row
/// uses here). Masks have full size on the axes some write slices and size 1 on the rest, so they stay small.
/// </summary>
sealed class WriteGroup
{
    readonly List<(int Row, HookWrite Write)> writes = [];

    public WriteGroup(HookPoint point, string? receiverTensor)
    {
        Point = point;
        ReceiverTensor = receiverTensor;
        BatchAxis = point.Layout.IndexOf("batch");
        if (BatchAxis < 0)
            throw new ArgumentException($"hook '{point.Name}' has layout {point.Layout} with no batch axis, so rows cannot write it separately.");
    }

    public HookPoint Point { get; }
    public string? ReceiverTensor { get; }
    public int BatchAxis { get; }
    public IReadOnlyList<SlotKind> Slots { get; private set; } = [];
    HashSet<string> indexedAxes = [];

    public void Add(int row, HookWrite write, HookPoint hook)
    {
        if (!hook.Layout.Equals(Point.Layout))
            throw new ArgumentException($"hooks '{Point.Name}' {Point.Layout} and '{hook.Name}' {hook.Layout} are the same tensor with different layouts.");
        foreach (var axis in write.Part.Axes.Keys)
            if (hook.Layout.IndexOf(axis) < 0 || axis == "batch")
                throw new ArgumentException($"hook '{hook.Name}' has no axis '{axis}' to slice; its layout is {hook.Layout}{(axis == "batch" ? " (a write belongs to its row: the batch axis is never sliced)" : "")}.");
        writes.Add((row, write));
    }

    /// <summary>Fixes the slots once every write is in: zero, fed, add, then one Rows slot per source row a single row needs.</summary>
    public void Seal()
    {
        var kinds = new List<SlotKind>();
        int rowSlots = writes.Where(w => w.Write.Source is WriteSource.FromRow).GroupBy(w => w.Row)
            .Select(g => g.Select(w => ((WriteSource.FromRow)w.Write.Source).Row).Distinct().Count()).DefaultIfEmpty(0).Max();
        kinds.AddRange(Enumerable.Repeat(SlotKind.Rows, rowSlots));
        if (writes.Any(w => w.Write.Source is WriteSource.Fed)) kinds.Add(SlotKind.Fed);
        if (writes.Any(w => w.Write.Source is WriteSource.Add)) kinds.Add(SlotKind.Add);
        if (writes.Any(w => w.Write.Source is WriteSource.Zero)) kinds.Add(SlotKind.Zero);
        Slots = kinds;
        indexedAxes = [.. writes.SelectMany(w => w.Write.Part.Axes.Keys)];
    }

    public string Describe() => $"{Point.Tensor}{(ReceiverTensor is null ? "" : ">" + ReceiverTensor)}@{BatchAxis}:{string.Join("+", Slots)}";

    public WriteRequest Request() => new(Point.Tensor, BatchAxis, Slots, ReceiverTensor);

    /// <summary>Masks, row indices and fed values for one session run, whose batch row b runs plan row <c>batch[b]</c>.</summary>
    public IEnumerable<NamedTensor> Feeds(IReadOnlyList<int> batch, Func<int, int> batchIndexOfRow, HookConfig config, int positions, ElementType element, int past = 0)
    {
        var names = InsertWritePoints.Names(Request());
        int rank = Point.Layout.Rank, b = batch.Count;
        var maskShape = new long[rank];
        for (int a = 0; a < rank; a++)
            maskShape[a] = a == BatchAxis ? b : indexedAxes.Contains(Point.Layout.Axes[a]) ? AxisSizes.Of(Point.Name, Point.Layout.Axes[a], config, positions, past) : 1;
        var masks = names.Select(_ => new bool[Product(maskShape)]).ToArray();
        var claimed = new int[Product(maskShape)];
        var rows = names.Select(s => s.Kind == SlotKind.Rows ? Enumerable.Range(0, b).Select(i => (long)i).ToArray() : null).ToArray();
        var byRow = writes.ToLookup(w => w.Row, w => w.Write);
        var fedShape = FedShape(maskShape, SlotKind.Fed, config, positions, past);
        var addShape = FedShape(maskShape, SlotKind.Add, config, positions, past);
        var fed = fedShape is null ? null : new float[Product(fedShape)];
        var added = addShape is null ? null : new float[Product(addShape)];

        for (int bi = 0; bi < b; bi++)
        {
            var sources = new List<int>();
            foreach (var write in byRow[batch[bi]])
            {
                int slot = SlotOf(write.Source, sources, names);
                if (write.Source is WriteSource.FromRow from) rows[slot]![bi] = batchIndexOfRow(from.Row);
                foreach (var flat in Region(maskShape, bi, write.Part, config, positions, past))
                {
                    if (claimed[flat] != 0)
                        throw new ArgumentException($"plan row {batch[bi]}: two writes cover the same element of hook '{Point.Name}' ({write}); give every element one write.");
                    claimed[flat] = slot + 1;
                    masks[slot][flat] = true;
                }
                if (write.Source is WriteSource.Fed f) Fill(fed!, fedShape!, bi, write, f.Value, config, positions, past);
                if (write.Source is WriteSource.Add a) Fill(added!, addShape!, bi, write, a.Vector, config, positions, past);
            }
        }
        for (int j = 0; j < names.Count; j++)
        {
            yield return NamedTensor.Bool(names[j].Mask, maskShape, masks[j]);
            if (names[j].Rows is { } r) yield return NamedTensor.Int64(r, [b], rows[j]!);
            if (names[j].Kind == SlotKind.Fed) yield return Typed(names[j].Source!, fedShape!, fed!, element);
            if (names[j].Kind == SlotKind.Add) yield return Typed(names[j].Source!, addShape!, added!, element);
        }
    }

    static int SlotOf(WriteSource source, List<int> sources, IReadOnlyList<WriteSlot> slots)
    {
        switch (source)
        {
            case WriteSource.FromRow from:
                int k = sources.IndexOf(from.Row);
                if (k < 0) { sources.Add(from.Row); k = sources.Count - 1; }
                return k; // Rows slots come first
            case WriteSource.Fed: return slots.Select((s, i) => (s, i)).First(p => p.s.Kind == SlotKind.Fed).i;
            case WriteSource.Add: return slots.Select((s, i) => (s, i)).First(p => p.s.Kind == SlotKind.Add).i;
            default: return slots.Select((s, i) => (s, i)).First(p => p.s.Kind == SlotKind.Zero).i;
        }
    }

    /// <summary>The fed buffer's shape: the mask's, widened on each axis where some fed value is wider.</summary>
    long[]? FedShape(long[] maskShape, SlotKind kind, HookConfig config, int positions, int past)
    {
        var values = writes.Select(w => w.Write.Source switch
        {
            WriteSource.Fed f when kind == SlotKind.Fed => f.Value,
            WriteSource.Add a when kind == SlotKind.Add => a.Vector,
            _ => null,
        }).OfType<NamedTensor>().ToList();
        if (values.Count == 0) return null;
        var shape = (long[])maskShape.Clone();
        foreach (var v in values)
        {
            var aligned = Aligned(v);
            for (int a = 0; a < shape.Length; a++)
            {
                if (a == BatchAxis || aligned[a] == 1) continue;
                long known = AxisSizes.TryOf(Point.Layout.Axes[a], config, positions, past);
                if (shape[a] != 1 && shape[a] != aligned[a] || known > 0 && known != aligned[a])
                    throw new ArgumentException($"a value written to hook '{Point.Name}' {Point.Layout} has shape [{string.Join(", ", v.Shape)}]; its {Point.Layout.Axes[a]} axis ({aligned[a]}) does not match the hook's {(known > 0 ? known : shape[a])}.");
                shape[a] = aligned[a];
            }
        }
        return shape;
    }

    /// <summary>A value's shape left-padded with 1s to the hook's rank (numpy broadcasting); its batch axis must be 1.</summary>
    long[] Aligned(NamedTensor value)
    {
        int rank = Point.Layout.Rank;
        if (value.Shape.Length > rank)
            throw new ArgumentException($"a value written to hook '{Point.Name}' {Point.Layout} has rank {value.Shape.Length} [{string.Join(", ", value.Shape)}], more than the hook's {rank}.");
        var aligned = Enumerable.Repeat(1L, rank - value.Shape.Length).Concat(value.Shape).ToArray();
        if (aligned[BatchAxis] != 1)
            throw new ArgumentException($"a value written to hook '{Point.Name}' {Point.Layout} has {aligned[BatchAxis]} on its batch axis; give one row's value (size 1 there).");
        return aligned;
    }

    void Fill(float[] buffer, long[] shape, int bi, HookWrite write, NamedTensor value, HookConfig config, int positions, int past)
    {
        var aligned = Aligned(value);
        var data = value.ToFloats();
        if (BatchAxis == 0 && write.Part.Axes.Count == 0 && aligned.AsSpan(1).SequenceEqual(shape.AsSpan(1)))
        {
            // A whole row's value (a cached activation): one contiguous block of the batch-first buffer.
            Array.Copy(data, 0, buffer, bi * data.Length, data.Length);
            return;
        }
        var strides = Strides(aligned);
        int rank = shape.Length;
        var ranges = Ranges(shape, bi, write.Part, config, positions, past);
        foreach (var coord in Coordinates(ranges))
        {
            long flat = 0, source = 0;
            for (int a = 0; a < rank; a++)
            {
                flat = flat * shape[a] + coord[a];
                if (aligned[a] != 1) source += coord[a] * strides[a];
            }
            buffer[flat] = data[source];
        }
    }

    IEnumerable<long> Region(long[] shape, int bi, HookSlice slice, HookConfig config, int positions, int past)
    {
        foreach (var coord in Coordinates(Ranges(shape, bi, slice, config, positions, past)))
        {
            long flat = 0;
            for (int a = 0; a < shape.Length; a++) flat = flat * shape[a] + coord[a];
            yield return flat;
        }
    }

    /// <summary>Per axis, the indices a write covers in a tensor of <paramref name="shape"/>: its row, its slice, or all.</summary>
    long[][] Ranges(long[] shape, int bi, HookSlice slice, HookConfig config, int positions, int past)
    {
        var ranges = new long[shape.Length][];
        for (int a = 0; a < shape.Length; a++)
        {
            var axis = Point.Layout.Axes[a];
            if (a == BatchAxis) ranges[a] = [bi];
            else if (slice.Axes.TryGetValue(axis, out var indices))
            {
                int size = AxisSizes.Of(Point.Name, axis, config, positions, past);
                foreach (var i in indices)
                    if (i < 0 || i >= size)
                        throw new ArgumentException($"hook '{Point.Name}': {axis} index {i} is outside 0..{size - 1} (the axis has {size}).");
                ranges[a] = [.. indices.Select(i => (long)i)];
            }
            else ranges[a] = [.. Enumerable.Range(0, (int)shape[a]).Select(i => (long)i)];
        }
        return ranges;
    }

    static IEnumerable<long[]> Coordinates(long[][] ranges)
    {
        if (ranges.Any(r => r.Length == 0)) yield break;
        var at = new int[ranges.Length];
        while (true)
        {
            yield return [.. at.Select((k, a) => ranges[a][k])];
            int d = ranges.Length - 1;
            while (d >= 0 && ++at[d] == ranges[d].Length) { at[d] = 0; d--; }
            if (d < 0) yield break;
        }
    }

    static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int a = shape.Length - 1; a >= 0; a--) { strides[a] = s; s *= shape[a]; }
        return strides;
    }

    static long Product(long[] shape) => shape.Aggregate(1L, (x, y) => x * y);

    static NamedTensor Typed(string name, long[] shape, float[] data, ElementType element) => element switch
    {
        ElementType.Float16 => new NamedTensor(name, element, shape, data.Select(v => (Half)v).ToArray()),
        ElementType.Double => new NamedTensor(name, element, shape, data.Select(v => (double)v).ToArray()),
        _ => NamedTensor.Float(name, shape, data),
    };
}
