namespace OnnxInterp.Onnx;

/// <summary>Writes a file through a temporary sibling and a rename, so readers never see half a file.</summary>
public static class AtomicFile
{
    /// <summary>Writes through a temporary sibling; <paramref name="verify"/>, when given, checks that file before it takes <paramref name="path"/>'s name.</summary>
    public static void Write(string path, Action<Stream> write, Action<string>? verify = null)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"cannot write {path}: folder {folder} does not exist. Create it or choose another output path.");
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                write(stream);
            verify?.Invoke(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"cannot write {path}: permission denied. Choose a writable output path.", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s); w.Write(text); });
}
