namespace OnnxInterp.Benchmarks.Report;

/// <summary>Which of the compared tools wrote a result file, from its "tool" field.</summary>
public enum ToolKind { Ort, PyTorch, TorchSharp, Other }
