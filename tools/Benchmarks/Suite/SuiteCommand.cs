using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;
using OnnxInterp.Benchmarks.Measures;

namespace OnnxInterp.Benchmarks.Suite;

/// <summary>
/// <c>Benchmarks suite</c>: every measure of issue #15 on the ONNX Runtime side, in one process, written as one result
/// file in the shared format (tools/bench/README.md). The memory measure runs first so its peak is not another
/// measure's; the rest share the loaded model.
/// </summary>
public static class SuiteCommand
{
    /// <summary>Every measure, in the order they run.</summary>
    public static IReadOnlyList<ISuiteMeasure> Measures { get; } =
    [
        new MemoryMeasure(), new LoadMeasure(), new ForwardMeasure(), new HookCostMeasure(), new PatchPointMeasure(),
        SweepMeasure.ResidPre, SweepMeasure.HeadZ, new ScrubMeasure(),
    ];

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static int Run(IReadOnlyList<string> args)
    {
        var options = SuiteOptions.Parse(args);
        var context = new SuiteContext(options);
        Console.WriteLine($"suite: {options.Model}, pair {options.Pair}, device {options.Device.ToString().ToLowerInvariant()}, {Environment.ProcessorCount} cores");
        var errors = new List<MeasureError>();
        foreach (var measure in Measures.Where(m => options.AnySelected(m.Id)))
        {
            Console.WriteLine($"{measure.Id}:");
            // A failing measure is recorded and the rest still run, so one problem does not cost the whole run's numbers.
            try { measure.Run(context); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add(new MeasureError(measure.Id, $"{e.GetType().Name}: {e.Message}"));
                Console.Error.WriteLine($"  {measure.Id} failed: {e.GetType().Name}: {e.Message}");
            }
            GC.Collect();
        }
        var file = new BenchFile("onnxinterp-ort", Versions(), options.Device.ToString().ToLowerInvariant(), Environment.ProcessorCount,
            options.Model, MachineInfo.Current(), context.Results, errors.Count > 0 ? errors : null);
        if (options.Json is { } path)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
            File.WriteAllText(path, JsonSerializer.Serialize(file, Json) + "\n");
            Console.WriteLine($"wrote {path}");
        }
        return errors.Count > 0 ? 1 : 0;
    }

    static Dictionary<string, string> Versions() => new()
    {
        ["onnxinterp"] = typeof(Analysis.Patching.ActivationPatching).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?",
        ["onnxruntime"] = OrtEnv.Instance().GetVersionString(),
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["ortIntraOpThreads"] = "ORT default (one per physical core)",
    };
}
