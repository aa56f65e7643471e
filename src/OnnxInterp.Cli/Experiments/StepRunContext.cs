using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Experiments;

/// <summary>What a running step needs besides its plan: the device every step uses, its output name and folder, its model's path, and a notice line, and the shard this process runs (null: all of it).</summary>
internal sealed record StepRunContext(Device Device, string Name, string OutputFolder, string ModelPath, Action<string> Notice, Shard? Shard = null);
