using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// C# code run at a hook (TransformerLens's <c>run_with_hooks</c>): it receives the hook's value for the whole batch,
/// named by the hook and shaped as its layout says, and returns the value the model continues with (same shape and
/// element type; return <paramref name="value"/> itself to only look).
/// </summary>
public delegate NamedTensor HookFunction(NamedTensor value, HookContext context);

/// <summary>Where a hook function runs: the hook (name, tensor, layout) and the batch's token rows.</summary>
public sealed record HookContext(HookPoint Point, IReadOnlyList<IReadOnlyList<long>> Rows);

/// <summary>A hook function failed or returned a value the model cannot continue with; names the hook.</summary>
public sealed class HookFunctionException(string message, Exception? inner = null) : Exception(message, inner);
