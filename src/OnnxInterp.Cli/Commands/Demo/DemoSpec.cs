using System.Text.Json;

namespace OnnxInterp.Cli.Commands.Demo;

/// <summary>
/// The demo as an experiment spec (written beside its results, so it can be rerun or edited): induction heads on
/// attn-only-2l found and knocked out one by one, then IOI activation patching, attribution and the logit lens on tiny-gpt2.
/// </summary>
public static class DemoSpec
{
    public const string InductionModel = "attn-only-2l.onnx";
    public const string IoiModel = "tiny-gpt2.onnx";
    public const string IoiPrompt = "When Mary and John went to the store, John gave a drink to";

    public static string Json(string modelsFolder)
    {
        string Model(string file) => Path.GetFullPath(Path.Combine(modelsFolder, file));
        var spec = new
        {
            model = Model(IoiModel),
            device = "auto",
            seed = 0,
            prompts = new { ioi = 8 },
            steps = new object[]
            {
                new { step = "heads", name = "induction-heads", model = Model(InductionModel), sequences = 8, view = 2 },
                new { step = "ablate", name = "induction-knockout", model = Model(InductionModel), prompts = new { repeated = 16 }, heads = true },
                new { step = "patch", name = "ioi-patching", sweeps = new[] { "resid_pre", "z" } },
                new { step = "attribute", name = "ioi-attribution" },
                new { step = "lens", name = "ioi-lens", prompt = IoiPrompt, answer = " Mary" },
            },
        };
        return "// Written by `onnxinterp demo`; rerun with `onnxinterp experiment demo.experiment.json -o DIR`.\n"
            + JsonSerializer.Serialize(spec, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
