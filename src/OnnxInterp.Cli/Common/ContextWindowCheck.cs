using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Common;

/// <summary>
/// The one check every analysis verb makes before running: no sequence longer than the model's context window (its
/// position-embedding rows, n_ctx). Past it, a Gather on the position table reads out of range or, with negative
/// wrap-around, silently reads the wrong rows.
/// </summary>
public static class ContextWindowCheck
{
    /// <summary>Fails naming both sizes when a row of <paramref name="rows"/> is longer than the model's n_ctx (when known).</summary>
    public static void Check(HookedModel model, IEnumerable<int> rowLengths, string what)
    {
        int window = model.Map.Config.NCtx;
        if (window <= 0) return;
        int longest = rowLengths.DefaultIfEmpty(0).Max();
        if (longest > window)
            throw new UsageException($"{what}: {longest} tokens, but the model's context window is {window} positions; give shorter sequences.");
    }
}
