namespace OnnxInterp.Cli.Commands.SteerVector;

/// <summary>The schema of <c>steer-vector --json</c>: where the vector came from, its shape and norm, and where it was saved.</summary>
public sealed record SteerVectorOutput(string Model, string Hook, string Position, int PositivePrompts, int NegativePrompts, IReadOnlyList<long> Shape, double Norm, string SavedTo);
