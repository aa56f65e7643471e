using OnnxInterp.Onnx;

namespace OnnxInterp.Cli.Common;

/// <summary>
/// Checks an output path before any work is done, so a run does not end by failing to save: the output may
/// never be a file the verb reads (<see cref="ProtectedFiles"/>), its folder must exist, and it must be writable there.
/// </summary>
public static class OutputPaths
{
    public static string Check(string output, string model, string option = "-o") => Check(output, ProtectedFiles.For(model), option);

    public static string Check(string output, ProtectedFiles inputs, string option = "-o")
    {
        if (string.IsNullOrWhiteSpace(output))
            throw new UsageException($"{option} is empty; give the path of the file to write.");
        if (output.Contains('\0'))
            throw new UsageException($"{option} contains a NUL character; give a plain file path.");
        var full = Path.GetFullPath(output);
        if (inputs.RoleOf(full) is { } role)
            throw new UsageException($"{option} {output} is {role}; OnnxInterp never overwrites its input. Choose another output path.");
        if (FileIdentity.IsSpecialFile(full))
            throw new UsageException($"{option} {output} is not a regular file (a FIFO, device or socket); give a file path.");
        if (Directory.Exists(full))
            throw new UsageException($"{option} {output} is a folder; give a file path inside it.");
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"cannot write {output}: folder {folder} does not exist. Create it or choose another output path.");
        // Probe with a throwaway file: permissions are only really known by trying.
        var probe = Path.Combine(folder, $".onnxinterp-write-test.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"cannot write {output}: {(e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.'))}. Choose a writable output path.", e);
        }
        return full;
    }
}
