namespace OnnxInterp.Runtime;

/// <summary>Axis surgery on managed tensors: taking one row (or a range) out of a batch and joining rows into one.</summary>
public static class BatchTensors
{
    /// <summary>Index <paramref name="index"/> of <paramref name="axis"/>, kept as an axis of size 1.</summary>
    public static NamedTensor Take(NamedTensor tensor, int axis, int index)
    {
        long size = tensor.Shape[axis];
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is outside axis {axis} of '{tensor.Name}' (size {size}).");
        if (size == 1) return tensor;
        long outer = tensor.Shape[..axis].Aggregate(1L, (a, b) => a * b);
        long inner = tensor.Shape[(axis + 1)..].Aggregate(1L, (a, b) => a * b);
        var data = Array.CreateInstance(tensor.Data.GetType().GetElementType()!, outer * inner);
        for (long o = 0; o < outer; o++)
            Array.Copy(tensor.Data, (o * size + index) * inner, data, o * inner, inner);
        var shape = (long[])tensor.Shape.Clone();
        shape[axis] = 1;
        return tensor with { Shape = shape, Data = data };
    }

    /// <summary>Indices <paramref name="start"/> .. <paramref name="start"/> + <paramref name="length"/> - 1 of <paramref name="axis"/>.</summary>
    public static NamedTensor Narrow(NamedTensor tensor, int axis, int start, int length)
    {
        long size = tensor.Shape[axis];
        if (start < 0 || length < 0 || start + length > size)
            throw new ArgumentOutOfRangeException(nameof(start), $"indices {start}..{start + length - 1} are outside axis {axis} of '{tensor.Name}' (size {size}).");
        long outer = tensor.Shape[..axis].Aggregate(1L, (a, b) => a * b);
        long inner = tensor.Shape[(axis + 1)..].Aggregate(1L, (a, b) => a * b);
        var data = Array.CreateInstance(tensor.Data.GetType().GetElementType()!, outer * length * inner);
        for (long o = 0; o < outer; o++)
            Array.Copy(tensor.Data, (o * size + start) * inner, data, o * length * inner, length * inner);
        var shape = (long[])tensor.Shape.Clone();
        shape[axis] = length;
        return tensor with { Shape = shape, Data = data };
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; every other axis must agree.</summary>
    public static NamedTensor Concat(IReadOnlyList<NamedTensor> parts, int axis)
    {
        var first = parts[0];
        if (parts.Count == 1) return first;
        foreach (var p in parts)
            if (p.Shape.Length != first.Shape.Length || p.Shape.Where((d, i) => i != axis && d != first.Shape[i]).Any())
                throw new ArgumentException($"cannot join '{first.Name}' [{string.Join(", ", first.Shape)}] and [{string.Join(", ", p.Shape)}] along axis {axis}.");
        long outer = first.Shape[..axis].Aggregate(1L, (a, b) => a * b);
        long inner = first.Shape[(axis + 1)..].Aggregate(1L, (a, b) => a * b);
        long total = parts.Sum(p => p.Shape[axis]);
        var data = Array.CreateInstance(first.Data.GetType().GetElementType()!, outer * total * inner);
        long offset = 0;
        for (long o = 0; o < outer; o++)
            foreach (var p in parts)
            {
                long block = p.Shape[axis] * inner;
                Array.Copy(p.Data, o * block, data, offset, block);
                offset += block;
            }
        var shape = (long[])first.Shape.Clone();
        shape[axis] = total;
        return first with { Shape = shape, Data = data };
    }

    /// <summary>A tensor whose <paramref name="axis"/> has size 1, repeated <paramref name="count"/> times along it.</summary>
    public static NamedTensor Repeat(NamedTensor tensor, int axis, int count) =>
        tensor.Shape[axis] != 1 || count == 1 ? tensor : Concat(Enumerable.Repeat(tensor, count).ToList(), axis);
}
