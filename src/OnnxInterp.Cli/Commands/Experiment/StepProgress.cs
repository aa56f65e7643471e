using OnnxInterp.Cli.Experiments;

namespace OnnxInterp.Cli.Commands.Experiment;

/// <summary>One stderr line as each step starts and ends (<c>[2/5] patch ioi ... 1.3 s</c>); notices always, progress unless quiet.</summary>
internal sealed class StepProgress(CliConsole console, bool quiet) : IExperimentProgress
{
    public void StepStarted(int index, int count, string kind, string name)
    {
        if (!quiet) console.Error.WriteLine($"[{index + 1}/{count}] {kind} {name} ...");
    }

    public void StepFinished(int index, int count, string kind, string name, double seconds)
    {
        if (!quiet) console.Error.WriteLine($"[{index + 1}/{count}] {kind} {name} done in {seconds:0.0} s");
    }

    public void Notice(string line) => console.Notice(line);
}
