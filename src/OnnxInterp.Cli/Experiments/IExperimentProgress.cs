namespace OnnxInterp.Cli.Experiments;

/// <summary>Where a running experiment reports: each step's start and end, and one-line notices (the CUDA fallback, warnings).</summary>
internal interface IExperimentProgress
{
    void StepStarted(int index, int count, string kind, string name);
    void StepFinished(int index, int count, string kind, string name, double seconds);
    void Notice(string line);
}
