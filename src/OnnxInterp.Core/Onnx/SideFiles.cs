using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Onnx;

/// <summary>Copies a model's external-data files beside a copy of it written to another folder, never overwriting or reusing a file it did not write.</summary>
internal static class SideFiles
{
    /// <summary>Copies each side file of <paramref name="model"/> from <paramref name="sourceFolder"/> into <paramref name="targetFolder"/>; adds the files it created to <paramref name="created"/>.</summary>
    public static void CopyBeside(ModelProto model, string sourceFolder, string targetFolder, List<string> created)
    {
        var locations = ModelIO.AllInitializers(model.Graph).Where(ExternalData.IsExternal).Select(ExternalData.Location).Distinct();
        foreach (var location in locations)
        {
            var source = ExternalData.ResolvePath(location, sourceFolder);
            var target = Path.GetFullPath(Path.Combine(targetFolder, location));
            if (!target.StartsWith(Path.GetFullPath(targetFolder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new OnnxFormatException($"external data location '{location}' would be written outside the output folder {targetFolder}.");
            if (File.Exists(target) || new FileInfo(target).LinkTarget is not null)
            {
                if (!FileIdentity.IsSpecialFile(target) && SameBytes(source, target)) continue;
                throw new IOException($"cannot write the side file {target}: a different file of that name is already there, and OnnxInterp never overwrites a file it did not write. Move it away or choose another output folder.");
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            try
            {
                // Copy the bytes, not the link: a side file that is a symbolic link inside the folder becomes a plain file.
                using (var from = new FileStream(source, FileMode.Open, FileAccess.Read))
                using (var to = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                    from.CopyTo(to);
                File.Move(temp, target, overwrite: false);
                created.Add(target);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
    }

    static bool SameBytes(string a, string b)
    {
        if (FileIdentity.Same(a, b)) return true;
        using var x = File.OpenRead(a);
        using var y = File.OpenRead(b);
        if (x.Length != y.Length) return false;
        var bx = new byte[1 << 16];
        var by = new byte[1 << 16];
        int n;
        while ((n = x.Read(bx)) > 0)
        {
            y.ReadExactly(by.AsSpan(0, n));
            if (!bx.AsSpan(0, n).SequenceEqual(by.AsSpan(0, n))) return false;
        }
        return true;
    }
}
