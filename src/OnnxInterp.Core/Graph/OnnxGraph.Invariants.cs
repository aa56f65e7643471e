using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Graph;

public sealed partial class OnnxGraph
{
    /// <summary>
    /// Orders nodes so that every node comes after the producers of its inputs. Tensors a node reads from an
    /// enclosing graph (inside If/Loop bodies) count as available. Fails naming the nodes left in a cycle.
    /// </summary>
    public OnnxGraph TopologicalSort()
    {
        Index();
        if (IsSorted()) return this; // keep the file's own order, so a round trip changes nothing
        var remaining = nodes.ToDictionary(n => n, n => n.Inputs.Count(i => i.Length > 0 && producers!.ContainsKey(i)));
        // Among ready nodes take the earliest in file order, so an unsorted file moves as few nodes as possible.
        var position = nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var ready = new PriorityQueue<Node, int>(nodes.Where(n => remaining[n] == 0).Select(n => (n, position[n])));
        var order = new List<Node>(nodes.Count);
        while (ready.Count > 0)
        {
            var node = ready.Dequeue();
            order.Add(node);
            foreach (var output in node.Outputs.Where(o => o.Length > 0))
                foreach (var consumer in Consumers(output))
                {
                    remaining[consumer] -= consumer.Inputs.Count(i => i == output);
                    if (remaining[consumer] == 0) ready.Enqueue(consumer, position[consumer]);
                }
        }
        if (order.Count != nodes.Count)
        {
            var stuck = nodes.Except(order).Take(3).Select(n => n.ToString());
            throw new GraphException($"graph '{Name}' has a cycle or duplicate tensor names; nodes that cannot be ordered include: {string.Join("; ", stuck)}.");
        }
        nodes.Clear();
        nodes.AddRange(order);
        Invalidate();
        return this;
    }

    /// <summary>Whether every node already comes after the producers of its inputs.</summary>
    public bool IsInTopologicalOrder()
    {
        Index();
        return IsSorted();
    }

    bool IsSorted()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var input in node.Inputs)
                if (input.Length > 0 && producers!.ContainsKey(input) && !seen.Contains(input)) return false;
            foreach (var output in node.Outputs) seen.Add(output);
        }
        return true;
    }

    /// <summary>
    /// Removes nodes whose outputs reach no graph output, and initializers and declarations nothing uses.
    /// Graph inputs and outputs are never removed.
    /// </summary>
    public OnnxGraph Cleanup()
    {
        Index();
        var live = new HashSet<string>(outputs, StringComparer.Ordinal);
        var keep = new HashSet<Node>();
        var stack = new Stack<string>(outputs);
        while (stack.Count > 0)
        {
            var tensor = stack.Pop();
            if (producers!.GetValueOrDefault(tensor) is not { } node || !keep.Add(node)) continue;
            foreach (var input in node.Inputs.Concat(SubgraphReads(node)))
                if (input.Length > 0 && live.Add(input)) stack.Push(input);
        }
        nodes.RemoveAll(n => !keep.Contains(n));
        foreach (var name in initializers.Keys.Where(k => !live.Contains(k) && !inputs.Contains(k)).ToList())
            initializers.Remove(name);
        var produced = new HashSet<string>(nodes.SelectMany(n => n.Outputs).Concat(inputs).Concat(outputs).Concat(initializers.Keys));
        foreach (var name in valueInfos.Keys.Where(k => !produced.Contains(k)).ToList())
            valueInfos.Remove(name);
        Invalidate();
        return this;
    }

    /// <summary>Names a node's subgraphs read from this graph's scope (If/Loop/Scan bodies may use outer tensors).</summary>
    internal static IEnumerable<string> SubgraphReads(Node node) =>
        node.Attributes.SelectMany(attr => attr.G is null ? attr.Graphs : attr.Graphs.Append(attr.G)).SelectMany(OuterReads);

    /// <summary>Names one subgraph uses without defining them (as node outputs, inputs or initializers): outer-scope reads.</summary>
    internal static IEnumerable<string> OuterReads(GraphProto g)
    {
        var local = new HashSet<string>(g.Node.SelectMany(n => n.Output).Concat(g.Input.Select(i => i.Name)).Concat(g.Initializer.Select(i => i.Name)));
        foreach (var n in g.Node)
            foreach (var i in n.Input)
                if (i.Length > 0 && !local.Contains(i)) yield return i;
    }
}
