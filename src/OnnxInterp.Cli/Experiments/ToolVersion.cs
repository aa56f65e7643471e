using System.Reflection;

namespace OnnxInterp.Cli.Experiments;

/// <summary>The tool's version and the git commit it was built from (the SDK appends it to the informational version).</summary>
public static class ToolVersion
{
    static readonly string informational =
        typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version without the commit, e.g. 1.0.0.</summary>
    public static string Version => informational.Split('+')[0];

    /// <summary>The commit the binary was built from, or null when it was built outside a git checkout.</summary>
    public static string? Commit => informational.Split('+') is [_, var commit, ..] ? commit : null;

    public static string Full => informational;
}
