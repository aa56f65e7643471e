using System.Runtime.InteropServices;

namespace OnnxInterp.Onnx;

/// <summary>
/// What a path really names: its real path (every symbolic link resolved, on every folder of the path), whether it is a
/// regular file, and on Linux its device and inode, so two paths are the same file also through hard links.
/// </summary>
public static class FileIdentity
{
    /// <summary>The path with every symbolic link resolved; components that do not exist yet are kept as written.</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = root;
        int hops = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40) throw new IOException($"{path}: too many levels of symbolic links.");
                // Resolve the link target against the link's folder, then re-walk what is left of the path.
                var rest = string.Join(Path.DirectorySeparatorChar, parts.Skip(i + 1));
                var resolved = Path.GetFullPath(Path.Combine(current, target));
                full = rest.Length == 0 ? resolved : Path.Combine(resolved, rest);
                root = Path.GetPathRoot(full)!;
                parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
                current = root;
                i = -1;
                continue;
            }
            current = next;
        }
        return current;
    }

    /// <summary>Whether two paths name the same file: same real path, or (Linux) same device and inode.</summary>
    public static bool Same(string a, string b)
    {
        if (RealPath(a) == RealPath(b)) return true;
        return Stat(a) is { } sa && Stat(b) is { } sb && sa.Device == sb.Device && sa.Inode == sb.Inode;
    }

    /// <summary>Whether <paramref name="path"/> exists and is something other than a regular file or folder (a FIFO, a device, a socket).</summary>
    public static bool IsSpecialFile(string path) => Stat(path) is { } s && s.Kind is not (FileKind.Regular or FileKind.Directory);

    /// <summary>Whether the real path of <paramref name="path"/> lies inside the real path of <paramref name="folder"/>.</summary>
    public static bool IsInside(string path, string folder)
    {
        var root = RealPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return RealPath(path).StartsWith(root, StringComparison.Ordinal);
    }

    enum FileKind { Regular, Directory, Other }

    readonly record struct FileStat(ulong Device, ulong Inode, FileKind Kind);

    /// <summary>stat(2) on Linux x64 and arm64 (the layouts whose first fields we read); null elsewhere or when it fails.</summary>
    static FileStat? Stat(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        int modeOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24, // st_dev, st_ino, st_nlink (8 bytes each), st_mode
            Architecture.Arm64 => 16, // st_dev, st_ino (8 bytes each), st_mode
            _ => -1,
        };
        if (modeOffset < 0) return null;
        var buffer = new byte[256]; // struct stat is 144 bytes on x64, 128 on arm64
        try
        {
            if (NativeStat(path, buffer) != 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        uint mode = BitConverter.ToUInt32(buffer, modeOffset) & 0xF000; // S_IFMT
        var kind = mode switch { 0x8000 => FileKind.Regular, 0x4000 => FileKind.Directory, _ => FileKind.Other };
        return new FileStat(BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8), kind);
    }

    // DllImport, not LibraryImport: the latter needs unsafe code enabled, for one call that pins one array.
    [DllImport("libc", EntryPoint = "stat", CharSet = CharSet.Ansi, BestFitMapping = false)]
    static extern int NativeStat(string path, [Out] byte[] buffer);
}
