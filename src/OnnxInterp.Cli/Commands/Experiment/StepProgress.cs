using OnnxInterp.Cli.Experiments;
using OnnxInterp.Cli.Progress;

namespace OnnxInterp.Cli.Commands.Experiment;

/// <summary>An experiment's steps on the progress display: the step running now, and the count done of all.</summary>
internal sealed class StepProgress(IProgressSink sink) : IExperimentProgress
{
    public void StepStarted(int index, int count, string kind, string name) => sink.Report(index, $"step {index + 1}/{count}, {kind} {name}");

    public void StepFinished(int index, int count, string kind, string name, double seconds) =>
        sink.Report(index + 1, $"{index + 1}/{count} steps done");

    public void Notice(string line) => sink.Notice(line);
}
