using System.Text.Json;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// results.json: everything needed to trust and repeat a run. The spec as written and its file's sha256, each model's
/// sha256, the tool's version and commit, the device asked for and the one used, the seed, when it ran and how long it
/// took, and every step's numbers, prompts and timings. Files lists what the run wrote beside it.
/// </summary>
public sealed record ExperimentResults(
    string Tool,
    string Version,
    string? Commit,
    string Runtime,
    string SpecFile,
    string SpecSha256,
    JsonElement Spec,
    IReadOnlyList<ModelFile> Models,
    string DeviceRequested,
    string Device,
    int Seed,
    DateTimeOffset Started,
    double Seconds,
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<string>? Files = null)
{
    /// <summary>The shard these results are (null for a whole run or a merge of all shards); <c>merge</c> needs every shard.</summary>
    public Shard? Shard { get; init; }
}
