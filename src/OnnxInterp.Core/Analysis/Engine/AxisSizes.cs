using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// The size of a named hook axis, from the model's config and the prompt length. With past key/values, <c>k_pos</c>
/// (attention scores and patterns) spans the past as well: the past length + the step's positions.
/// </summary>
public static class AxisSizes
{
    public static int Of(string hook, string axis, HookConfig config, int positions, int past = 0)
    {
        int size = TryOf(axis, config, positions, past);
        if (size <= 0)
            throw new ArgumentException($"hook '{hook}': the size of axis '{axis}' is not known from the model's config ({config}), so it cannot be indexed.");
        return size;
    }

    /// <summary>The size, or 0 when the config does not say (an axis a hook map names itself, a size it leaves out).</summary>
    public static int TryOf(string axis, HookConfig config, int positions, int past = 0) =>
        axis switch
        {
            "pos" or "q_pos" => positions,
            "k_pos" => past + positions,
            "head" => config.NHeads,
            "d_head" => config.DHead,
            "d_model" => config.DModel,
            "d_mlp" => config.DMlp,
            "vocab" => config.DVocab,
            "1" => 1,
            _ => 0,
        };
}
