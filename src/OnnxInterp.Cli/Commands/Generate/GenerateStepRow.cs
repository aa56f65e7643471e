using OnnxInterp.Cli.Commands.Run;

namespace OnnxInterp.Cli.Commands.Generate;

/// <summary>One generated token: its step, id, text (GPT-2 vocabulary), probability under the model, and the most likely alternatives.</summary>
public sealed record GenerateStepRow(int Step, long Id, string? Token, double Probability, IReadOnlyList<NextTokenRow> Top);
