using OnnxInterp.Graph;
using OnnxInterp.Onnx;

namespace OnnxInterp.Cli.Common;

/// <summary>
/// The files a verb reads and must never write: the model, its external-data files, feed files and the hook-map file.
/// An output path is compared with each by file identity (<see cref="FileIdentity.Same"/>: symbolic links on any folder
/// of the path resolved, and on Linux hard links too).
/// </summary>
public sealed class ProtectedFiles
{
    readonly List<(string Role, string Path)> files = [];

    /// <summary>The model file, and where <paramref name="model"/> is given, the side files its external-data records name.</summary>
    public static ProtectedFiles For(string modelPath, OnnxModel? model = null)
    {
        var result = new ProtectedFiles().With("the input model", modelPath);
        if (model?.SourceFolder is { } folder)
            foreach (var location in model.ExternalDataLocations())
                if (!Path.IsPathRooted(location))
                    result.With($"the model's external-data file '{location}'", Path.Combine(folder, location));
        return result;
    }

    /// <summary>Adds a file the verb reads; a null path adds nothing.</summary>
    public ProtectedFiles With(string role, string? path)
    {
        if (!string.IsNullOrEmpty(path)) files.Add((role, Path.GetFullPath(path)));
        return this;
    }

    /// <summary>Adds each --input feed file.</summary>
    public ProtectedFiles WithFeeds(FeedRequest request)
    {
        foreach (var (name, file) in request.InputFiles) With($"the feed file of --input {name}", file);
        return this;
    }

    /// <summary>The role of the protected file <paramref name="output"/> names, or null when it names none of them.</summary>
    public string? RoleOf(string output)
    {
        foreach (var (role, path) in files)
            if (FileIdentity.Same(output, path)) return role;
        return null;
    }
}
