using System.Runtime.CompilerServices;

namespace OnnxInterp.Tests.Support;

/// <summary>
/// The test run keeps type probes in a cache folder of its own (not the user's ~/.cache), fresh for each run, so every
/// model is probed once for real in a run and the cached path is exercised by every later test on it.
/// </summary>
static class TestProbeCache
{
    [ModuleInitializer]
    internal static void UseOwnFolder()
    {
        if (Environment.GetEnvironmentVariable("ONNXINTERP_CACHE") is null)
            Environment.SetEnvironmentVariable("ONNXINTERP_CACHE", Path.Combine(Path.GetTempPath(), $"onnxinterp-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"));
    }
}
