using OnnxInterp.Graph;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Rewrites;

/// <summary>
/// A graph in which batch rows may join late. <see cref="StageRows"/> made it; <see cref="Inputs"/>[k - 1] feeds the
/// rows joining at stage k (each row's twin: the batch index of an earlier row whose values it starts from), and
/// <see cref="Level"/> says at which stage each tensor is computed (a stage tensor: its own stage), so the batch there is the
/// rows joined by then, which come first in the batch.
/// </summary>
public sealed record StagedGraph(OnnxModel Model, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, int> Level);

/// <summary>
/// Lets rows that differ from another row of the batch only by writes at or after a stage tensor skip everything
/// before it: a patch at layer L leaves layers before L as they were, so the patched row starts from its twin's values
/// there. Stage k (stages in topological order, k = 1, 2, ...) adds the rows of input <c>patch_rows:stage/k</c> (their
/// twins' batch indices). Every tensor that is computed before a stage and read after it (the residual stream, the
/// attention-mask bias, the stage tensor itself) is lifted there as <c>Concat(x, Gather(x, twins_k))</c> along its
/// batch axis, so rows join in order of their stage: the batch at stage k is the first rows of the full batch. The
/// lifted stage tensor keeps the tensor's name, so hooks and write points on it see every row present. Twins must be
/// rows present from the start. With no rows joining late every Concat adds nothing, and the graph computes what the
/// original computes, bit for bit.
/// </summary>
public static class StageRows
{
    public const string InputPrefix = PatchPoint.RowsPrefix + "stage/";

    /// <summary>
    /// Stages <paramref name="model"/> at <paramref name="stages"/>; <paramref name="batchAxes"/> gives, for each
    /// tensor and graph input, its batch axis (-1: none, the same for every row). Returns null, with the reason, when a
    /// tensor that crosses a stage has no known batch axis (a shape computed from the batch size, say).
    /// </summary>
    public static StagedGraph? TryApply(OnnxModel model, IReadOnlyList<string> stages, IReadOnlyDictionary<string, int> batchAxes, out string? reason)
    {
        reason = null;
        string? failure = null;
        var graph = model.Graph.Clone().TopologicalSort();
        var stageOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < stages.Count; k++)
        {
            if (graph.Producer(stages[k]) is null) { reason = $"no node produces stage tensor '{stages[k]}'"; return null; }
            stageOf[stages[k]] = k + 1;
        }

        // The stage each tensor is computed at: the latest stage it depends on.
        var produced = new Dictionary<string, int>(StringComparer.Ordinal);
        int Read(string t) => Math.Max(produced.GetValueOrDefault(t), stageOf.GetValueOrDefault(t));
        var nodeLevel = new Dictionary<Node, int>();
        // Tensors computed from weights and constants alone are the same for every row and never need lifting.
        var perRow = new HashSet<string>(graph.Inputs.Where(i => !graph.IsInitializer(i)), StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            var read = node.Inputs.Concat(OnnxGraph.SubgraphReads(node)).Where(i => i.Length > 0).ToList();
            int level = read.Select(Read).DefaultIfEmpty(0).Max();
            nodeLevel[node] = level;
            bool rowDependent = read.Any(perRow.Contains);
            foreach (var o in node.Outputs.Where(o => o.Length > 0))
            {
                produced[o] = level;
                if (rowDependent) perRow.Add(o);
            }
            if (OnnxGraph.SubgraphReads(node).Any(t => perRow.Contains(t) && produced.GetValueOrDefault(t) < level))
            {
                reason = $"{node} reads a tensor of an earlier stage inside a subgraph, where it cannot be lifted";
                return null;
            }
        }
        foreach (var (tensor, k) in stageOf)
            if (produced[tensor] >= k) { reason = $"stage tensor '{tensor}' is computed from a later stage; stages must come in graph order"; return null; }

        var inputs = Enumerable.Range(1, stages.Count).Select(k => InputPrefix + k).ToList();
        foreach (var input in inputs) graph.AddInput(input, new TensorType(ElementType.Int64, [Dim.Unknown]));
        var lifted = new Dictionary<(string, int), string>();
        var axes = new Dictionary<string, int>(batchAxes, StringComparer.Ordinal);

        // Every read of a tensor from an earlier stage goes through its lift to the reader's stage.
        var reads = graph.Nodes.SelectMany(n => n.Inputs.Select((t, i) => (Node: n, Index: i, Tensor: t)))
            .Where(r => r.Tensor.Length > 0 && !graph.IsInitializer(r.Tensor) && !stageOf.ContainsKey(r.Tensor) && produced.GetValueOrDefault(r.Tensor) < nodeLevel[r.Node])
            .ToList();
        foreach (var (tensor, k) in stageOf)
        {
            // The stage tensor's own name goes to its lift, so hooks on it see the rows joining there.
            var producer = graph.Producer(tensor)!;
            var raw = graph.FreshName(tensor + "/before_stage");
            graph.SetNodeOutput(producer, producer.Outputs.ToList().IndexOf(tensor), raw);
            if (graph.TypeOf(tensor) is { } type) graph.SetType(raw, type);
            if (!perRow.Contains(tensor) || batchAxes.GetValueOrDefault(tensor, -2) < 0)
            {
                reason = $"stage tensor '{tensor}' has no batch axis";
                return null;
            }
            produced[raw] = produced[tensor];
            axes[raw] = batchAxes[tensor];
            perRow.Add(raw);
            if (Lift(raw, k, tensor) is null) { reason = failure; return null; }
            produced[tensor] = k;
        }
        foreach (var (node, index, tensor) in reads)
        {
            var value = Lift(tensor, nodeLevel[node]);
            if (value is null) { reason = failure; return null; }
            graph.SetNodeInput(node, index, value);
        }
        foreach (var (tensor, k) in stageOf)
            foreach (var reader in graph.Consumers(tensor).Where(n => nodeLevel.TryGetValue(n, out var level) && level > k).ToList())
                for (int i = 0; i < reader.Inputs.Count; i++)
                    if (reader.Inputs[i] == tensor) graph.SetNodeInput(reader, i, Lift(tensor, nodeLevel[reader])!);
        // Declared shapes name the batch with one symbol, but tensors before a stage have fewer rows than after it:
        // ONNX Runtime would plan buffers from the declarations and fail. Element types stay; inputs keep theirs.
        foreach (var t in graph.IntermediateTensors.ToList())
            if (graph.TypeOf(t) is { Shape: not null } type) graph.SetType(t, type with { Shape = null });
        return new StagedGraph(model.WithGraph(graph), inputs, produced);

        // The tensor with the rows of stages up to `level` appended: Concat(lift to level - 1, Gather(tensor, twins)).
        string? Lift(string tensor, int level, string? name = null)
        {
            int from = produced.GetValueOrDefault(tensor);
            if (level <= from) return tensor;
            if (lifted.TryGetValue((tensor, level), out var done)) return done;
            if (!perRow.Contains(tensor)) return tensor;
            if (!axes.TryGetValue(tensor, out int axis) || axis < -1)
            {
                failure = $"tensor '{tensor}' is read after a stage but its batch axis is unknown (a shape computed from the batch size, say)";
                return null;
            }
            if (axis == -1) return tensor;
            var previous = Lift(tensor, level - 1);
            if (previous is null) return null;
            var gathered = graph.FreshName($"{tensor}/stage{level}_rows");
            graph.AddNode(new Node("Gather", [tensor, inputs[level - 1]], [gathered], $"stage:{gathered}", attributes: [Axis(axis)]));
            var output = name ?? graph.FreshName($"{tensor}/stage{level}");
            graph.AddNode(new Node("Concat", [previous, gathered], [output], $"stage:{output}", attributes: [Axis(axis)]));
            if (graph.TypeOf(tensor) is { } type) graph.SetType(output, type with { Shape = null });
            return lifted[(tensor, level)] = output;
        }
    }

    static AttributeProto Axis(int axis) => new() { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis };
}
