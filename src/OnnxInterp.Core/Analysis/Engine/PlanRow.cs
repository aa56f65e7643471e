using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// One batch row of a plan: its token ids, its writes (none: the model as exported), and optionally batch-1 feeds
/// that replace the ones derived from the tokens (an attention mask with zeros, say).
/// </summary>
public sealed record PlanRow(IReadOnlyList<long> Tokens, IReadOnlyList<HookWrite>? Writes = null, IReadOnlyList<NamedTensor>? Feeds = null)
{
    public IReadOnlyList<HookWrite> WriteList => Writes ?? [];
}
