namespace OnnxInterp.Cli.Commands.Generate;

/// <summary>The schema of <c>generate --json</c>.</summary>
public sealed record GenerateOutput(
    string Model,
    string Device,
    string? Prompt,
    IReadOnlyList<long> PromptTokens,
    string Sampling,
    bool UsedPast,
    IReadOnlyList<string> Interventions,
    IReadOnlyList<long> NewTokens,
    string? Text,
    bool StoppedAtEndOfText,
    IReadOnlyList<GenerateStepRow> Steps,
    double Seconds,
    double TokensPerSecond);
