using OnnxInterp.Graph;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// The past key/value inputs of a decoder graph, paired with the outputs that feed them at the next step: optimum's
/// <c>past_key_values.{l}.key|value</c> -> <c>present.{l}.key|value</c> [batch, heads, past, d_head] and ORT's
/// <c>past_{l}</c> -> <c>present_{l}</c> [2, batch, heads, past, d_head]. The sequence axis is the one whose symbol names
/// the past (else the second last); the batch axis the one carrying input_ids' batch symbol (else 0).
/// </summary>
public sealed class PastKeyValues
{
    PastKeyValues(IReadOnlyList<PastSlot> slots, string? mask, string? positions, TensorType? maskType, ElementType positionType)
    {
        Slots = slots;
        AttentionMask = mask;
        PositionIds = positions;
        MaskType = maskType;
        PositionType = positionType;
    }

    public IReadOnlyList<PastSlot> Slots { get; }
    /// <summary>The attention mask input ([batch, past + sequence], or 4-D [batch, 1, max, max]), if the graph has one.</summary>
    public string? AttentionMask { get; }
    /// <summary>The position ids input ([batch, sequence]), if the graph has one; without it the graph counts positions itself.</summary>
    public string? PositionIds { get; }
    /// <summary>The mask input's declared type: its element type and rank decide the mask fed (<see cref="AttentionMaskFeed"/>).</summary>
    public TensorType? MaskType { get; }
    public ElementType PositionType { get; }

    /// <summary>The graph's past key/values, or null when it has none (or an input whose present output is missing).</summary>
    public static PastKeyValues? Find(OnnxGraph graph)
    {
        var inputs = graph.Inputs.Where(i => !graph.IsInitializer(i)).ToList();
        var past = inputs.Where(i => i.StartsWith("past", StringComparison.OrdinalIgnoreCase)).ToList();
        if (past.Count == 0) return null;
        var batchSymbol = graph.TypeOf(TokenFeeds.InputIds)?.Shape is { Count: 2 } ids ? ids[0].Param : null;
        var slots = new List<PastSlot>();
        foreach (var input in past)
        {
            var output = Present(input);
            if (!graph.IsGraphOutput(output)) return null;
            var shape = graph.TypeOf(input)?.Shape;
            if (shape is null || shape.Count < 3) return null;
            int sequence = Enumerable.Range(0, shape.Count).FirstOrDefault(a => shape[a].Param?.Contains("past", StringComparison.OrdinalIgnoreCase) == true, shape.Count - 2);
            int batch = Enumerable.Range(0, shape.Count).FirstOrDefault(a => batchSymbol is not null && shape[a].Param == batchSymbol, 0);
            slots.Add(new PastSlot(input, output, sequence, batch));
        }
        string? mask = inputs.FirstOrDefault(i => i.Contains("mask", StringComparison.OrdinalIgnoreCase));
        string? positions = inputs.FirstOrDefault(i => i.Contains("position", StringComparison.OrdinalIgnoreCase));
        return new PastKeyValues(slots, mask, positions, mask is null ? null : graph.TypeOf(mask), IntegerType(graph, positions));
    }

    /// <summary>The present output that feeds a past input: past_key_values.0.key -> present.0.key, past_0 -> present_0.</summary>
    static string Present(string input) =>
        input.StartsWith("past_key_values", StringComparison.Ordinal) ? "present" + input["past_key_values".Length..] : "present" + input["past".Length..];

    static ElementType IntegerType(OnnxGraph graph, string? input) =>
        input is not null && graph.TypeOf(input)?.ElementType is ElementType.Int32 ? ElementType.Int32 : ElementType.Int64;

    /// <summary>The feeds of one decoding step after <paramref name="total"/> - 1 tokens: the presents as past, the mask over all (<see cref="AttentionMaskFeed"/>), the new position.</summary>
    public IReadOnlyList<NamedTensor> StepFeeds(IReadOnlyDictionary<string, NamedTensor> presents, int total)
    {
        var feeds = Slots.Select(s => presents[s.Output].Renamed(s.Input)).ToList();
        if (AttentionMask is not null) feeds.Add(AttentionMaskFeed.ForLength(AttentionMask, MaskType, total));
        if (PositionIds is not null) feeds.Add(Integers(PositionIds, PositionType, [1, 1], [total - 1]));
        return feeds;
    }

    /// <summary>
    /// The feeds that continue a run of <paramref name="total"/> tokens from position <paramref name="past"/>: the first
    /// <paramref name="past"/> positions of each present as past, the mask over all, and the positions that follow.
    /// </summary>
    public IReadOnlyList<NamedTensor> PrefixFeeds(IReadOnlyDictionary<string, NamedTensor> presents, int past, int total)
    {
        var feeds = Slots.Select(s => BatchTensors.Narrow(presents[s.Output], s.SequenceAxis, 0, past).Renamed(s.Input)).ToList();
        if (AttentionMask is not null) feeds.Add(AttentionMaskFeed.ForLength(AttentionMask, MaskType, total));
        if (PositionIds is not null) feeds.Add(Integers(PositionIds, PositionType, [1, total - past], Enumerable.Range(past, total - past).Select(i => (long)i)));
        return feeds;
    }

    static NamedTensor Integers(string name, ElementType type, long[] shape, IEnumerable<long> values) =>
        type == ElementType.Int32 ? new NamedTensor(name, type, shape, values.Select(v => (int)v).ToArray()) : NamedTensor.Int64(name, shape, [.. values]);
}
