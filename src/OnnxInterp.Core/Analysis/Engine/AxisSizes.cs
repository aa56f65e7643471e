using OnnxInterp.Hooks;

namespace OnnxInterp.Analysis.Engine;

/// <summary>The size of a named hook axis, from the model's config and the prompt length.</summary>
public static class AxisSizes
{
    public static int Of(string hook, string axis, HookConfig config, int positions)
    {
        int size = TryOf(axis, config, positions);
        if (size <= 0)
            throw new ArgumentException($"hook '{hook}': the size of axis '{axis}' is not known from the model's config ({config}), so it cannot be indexed.");
        return size;
    }

    /// <summary>The size, or 0 when the config does not say (an axis a hook map names itself, a size it leaves out).</summary>
    public static int TryOf(string axis, HookConfig config, int positions) =>
        axis switch
        {
            "pos" or "q_pos" or "k_pos" => positions,
            "head" => config.NHeads,
            "d_head" => config.DHead,
            "d_model" => config.DModel,
            "d_mlp" => config.DMlp,
            "vocab" => config.DVocab,
            "1" => 1,
            _ => 0,
        };
}
