namespace OnnxInterp.Fuzz;

/// <summary>
/// One fuzz input: the files to lay out in a fresh folder and the command line to run there. In <see cref="Args"/>,
/// <c>{dir}</c> stands for that folder. <see cref="Kind"/> names the mutation, for the report.
/// </summary>
public sealed record FuzzCase(string Kind, IReadOnlyDictionary<string, byte[]> Files, IReadOnlyList<string> Args);
