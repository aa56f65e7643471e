namespace OnnxInterp.Benchmarks.Report;

/// <summary>
/// The result files of one benchmark run, sorted by tool: the ONNX Runtime run the targets use (the CPU one, since the
/// baselines run on the CPU), any other ORT runs (CUDA), and the PyTorch and TorchSharp eager baselines. Any may be absent.
/// </summary>
public sealed record ReportInputs(IReadOnlyList<ToolRun> Runs)
{
    public ToolRun? Ort => Pick(ToolKind.Ort);
    public ToolRun? PyTorch => Pick(ToolKind.PyTorch);
    public ToolRun? TorchSharp => Pick(ToolKind.TorchSharp);

    /// <summary>Every run in table order: ORT runs first (the primary one first), then PyTorch, TorchSharp, others.</summary>
    public IReadOnlyList<ToolRun> Ordered =>
        [.. Runs.OrderBy(r => r.Kind).ThenBy(r => r == Ort || r == PyTorch || r == TorchSharp ? 0 : 1).ThenBy(r => r.Device)];

    ToolRun? Pick(ToolKind kind) =>
        Runs.FirstOrDefault(r => r.Kind == kind && r.Device == "cpu") ?? Runs.FirstOrDefault(r => r.Kind == kind);

    public static ReportInputs Load(IEnumerable<string> paths) => new([.. paths.Select(ToolRun.Load)]);
}
