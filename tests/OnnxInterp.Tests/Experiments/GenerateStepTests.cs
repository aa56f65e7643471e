using System.Text.Json;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Generation;
using OnnxInterp.Tests.Cli;

namespace OnnxInterp.Tests.Experiments;

/// <summary>The generate step of an experiment spec continues each prompt as the library's Generator does.</summary>
public sealed class GenerateStepTests
{
    [Fact]
    public void A_generate_step_equals_the_generator_called_directly()
    {
        using var scratch = new CliScratch();
        var spec = ExperimentSpecFiles.Write(scratch.Folder, $$"""
            {
              "model": "{{ExperimentSpecFiles.Model("tiny-gpt2-past.onnx")}}",
              "device": "cpu",
              "prompts": { "pairs": [ { "clean": "When Mary and John went to the store, John gave a drink to" }, { "clean": "When Tom and Anna went to the park, Anna gave a ball to" } ] },
              "steps": [ { "step": "generate", "maxNewTokens": 5 } ]
            }
            """);
        var run = CliHarness.Run("experiment", spec, "-o", scratch["out"], "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());
        var sequences = JsonDocument.Parse(File.ReadAllText(scratch["out/results.json"])).RootElement.GetProperty("steps")[0].GetProperty("result").GetProperty("sequences");

        using var generator = Generator.Load(ExperimentSpecFiles.Model("tiny-gpt2-past.onnx"));
        foreach (var (text, i) in new[] { ("When Mary and John went to the store, John gave a drink to", 0), ("When Tom and Anna went to the park, Anna gave a ball to", 1) })
        {
            var expected = generator.Generate(new GenerationRequest([new GenerationRow(InterpModel.Tokenize(text))], 5))[0];
            Assert.Equal(expected.NewTokens, sequences[i].GetProperty("newTokens").EnumerateArray().Select(t => t.GetInt64()).ToList());
        }
    }
}
