using System.Runtime.InteropServices;

namespace OnnxInterp.Benchmarks.Suite;

/// <summary>The machine a result file was measured on: CPU model (from /proc/cpuinfo), logical cores, OS.</summary>
public sealed record MachineInfo(string Cpu, int Cores, string Os)
{
    public static MachineInfo Current() => new(CpuModel(), Environment.ProcessorCount, RuntimeInformation.OSDescription);

    /// <summary>The first "model name" line of /proc/cpuinfo, else the architecture.</summary>
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
