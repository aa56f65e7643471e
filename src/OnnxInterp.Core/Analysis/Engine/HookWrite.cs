namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// One write of a plan row: the hook (an exact hook name), the part of it written (<see cref="HookSlice.All"/> when
/// null), where the values come from, and optionally a receiver: a hook computed from this one that alone sees the
/// write. Only the consumers of the hook's tensor from which the receiver's tensor can be reached read the written
/// value; every other consumer keeps the original (e.g. write <c>blocks.1.hook_resid_mid</c> with receiver
/// <c>blocks.1.mlp.hook_pre</c>: the MLP reads the written value, the residual stream does not).
/// </summary>
public sealed record HookWrite(string Hook, WriteSource Source, HookSlice? Slice = null, string? Receiver = null)
{
    public HookSlice Part => Slice ?? HookSlice.All;

    public override string ToString() =>
        $"{Hook}[{Part}] <- {Source switch { WriteSource.FromRow f => $"row {f.Row}", WriteSource.Fed => "fed", WriteSource.Add => "value + fed", _ => "zero" }}{(Receiver is null ? "" : $" (seen by {Receiver} only)")}";
}
