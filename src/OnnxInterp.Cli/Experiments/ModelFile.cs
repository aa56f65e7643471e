namespace OnnxInterp.Cli.Experiments;

/// <summary>A model file an experiment read, with its sha256 and those of the external weight files it references.</summary>
public sealed record ModelFile(string Path, string Sha256, IReadOnlyDictionary<string, string>? ExternalData);
