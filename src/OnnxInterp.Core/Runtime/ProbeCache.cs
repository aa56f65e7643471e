using System.Security.Cryptography;
using System.Text.Json;
using OnnxInterp.Graph;
using OnnxInterp.Onnx;

namespace OnnxInterp.Runtime;

/// <summary>
/// Type probes kept on disk, keyed by the SHA-256 of the model's graph as serialised (weights stored outside the file
/// are not part of it: a probe measures types and shapes, which do not depend on their values) and the ONNX Runtime
/// version. A probe compiles and runs the whole model with every tensor exposed, over a second on GPT-2 small, and
/// command-line runs repeat it for the same file every time. The folder is <c>ONNXINTERP_CACHE</c>, else
/// <c>$XDG_CACHE_HOME/onnxinterp</c>, else <c>~/.cache/onnxinterp</c>; <c>ONNXINTERP_CACHE=off</c> turns it off. An
/// unreadable or damaged entry is probed again; files are written atomically, so concurrent runs only race to equal ones.
/// </summary>
public static class ProbeCache
{
    // Part of every key: bump it when TypeProbe measures differently, so older entries are never read.
    const string Version = "probe-v1";

    /// <summary>The cache folder, or null when caching is off or no folder can be named.</summary>
    public static string? Folder
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("ONNXINTERP_CACHE");
            if (string.Equals(configured, "off", StringComparison.OrdinalIgnoreCase)) return null;
            if (!string.IsNullOrEmpty(configured)) return configured;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return !string.IsNullOrEmpty(xdg) ? Path.Combine(xdg, "onnxinterp")
                : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache", "onnxinterp") : null;
        }
    }

    /// <summary>The cached probe of <paramref name="model"/>, or one measured by <paramref name="probe"/> and stored.</summary>
    public static ProbeResult GetOrProbe(OnnxModel model, Func<ProbeResult> probe) => GetOrProbe(model, probe, Folder);

    internal static ProbeResult GetOrProbe(OnnxModel model, Func<ProbeResult> probe, string? folder)
    {
        if (folder is null) return probe();
        var path = Path.Combine(folder, $"{Key(model)}.json");
        if (TryRead(path) is { } cached) return cached;
        var result = probe();
        try
        {
            Directory.CreateDirectory(folder);
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(Entry.Of(result)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full cache folder only costs the next run its probe.
        }
        return result;
    }

    static string Key(OnnxModel model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Version}|{typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version}|"));
        hash.AppendData(Google.Protobuf.MessageExtensions.ToByteArray(model.ToProto()));
        return "probe-" + Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    static ProbeResult? TryRead(string path)
    {
        try
        {
            return File.Exists(path) && JsonSerializer.Deserialize<Entry>(File.ReadAllBytes(path)) is { Types: not null, BatchAxes: not null } entry ? entry.ToResult() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>On disk: each tensor's element type and dims (null for a dynamic one), and its batch axis.</summary>
    sealed record Entry(Dictionary<string, TypeEntry> Types, Dictionary<string, int> BatchAxes)
    {
        public static Entry Of(ProbeResult r) => new(
            r.Types.ToDictionary(p => p.Key, p => new TypeEntry((int)p.Value.ElementType, p.Value.Shape?.Select(d => d.Value).ToArray())),
            new Dictionary<string, int>(r.BatchAxes));

        public ProbeResult ToResult() => new(
            Types.ToDictionary(p => p.Key, p => new TensorType((ElementType)p.Value.Type, p.Value.Dims?.Select(d => d is { } v ? Dim.Of(v) : Dim.Unknown).ToList()), StringComparer.Ordinal),
            new Dictionary<string, int>(BatchAxes, StringComparer.Ordinal));
    }

    sealed record TypeEntry(int Type, long?[]? Dims);
}
