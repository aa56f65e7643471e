using OnnxInterp.Tests.Support;

namespace OnnxInterp.Tests.Experiments;

/// <summary>Writes spec files for tests into a scratch folder, with model and data paths pointing into the repository.</summary>
public static class ExperimentSpecFiles
{
    public static string Model(string file) => Path.Combine(TestPaths.OnnxModels, file).Replace('\\', '/');
    public static string Lines => Path.Combine(TestPaths.RepoRoot, "data", "lines.txt").Replace('\\', '/');

    public static string Write(string folder, string json, string name = "spec.json")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, json);
        return path;
    }
}
