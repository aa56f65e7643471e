namespace OnnxInterp.Cli.Experiments;

/// <summary>A spec field that cannot work: <see cref="Field"/> is its path in the file (<c>steps[2].sweeps[0]</c>).</summary>
public sealed class SpecException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}
