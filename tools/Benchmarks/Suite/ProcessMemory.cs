namespace OnnxInterp.Benchmarks.Suite;

/// <summary>
/// The process's resident memory from /proc/self/status: now (VmRSS) and its peak (VmHWM), which Linux resets to the
/// current size when "5" is written to /proc/self/clear_refs. Elsewhere the .NET process counters stand in.
/// </summary>
public static class ProcessMemory
{
    public static long CurrentBytes => Read("VmRSS:") ?? Environment.WorkingSet;

    public static long PeakBytes
    {
        get
        {
            if (Read("VmHWM:") is { } peak) return peak;
            using var p = System.Diagnostics.Process.GetCurrentProcess();
            return p.PeakWorkingSet64;
        }
    }

    /// <summary>Resets the peak to the current size; false where the kernel does not allow it (the peak then covers the whole process).</summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    static long? Read(string key)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            if (line is null) return null;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0]) * 1024; // kB
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }
}
