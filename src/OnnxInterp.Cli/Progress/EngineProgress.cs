namespace OnnxInterp.Cli.Progress;

/// <summary>
/// Progress of work the engine runs: it learns the number of session runs only once a plan is packed, so the display
/// counts percent and names the runs in its detail.
/// </summary>
public static class EngineProgress
{
    public static T Run<T>(CliConsole console, bool quiet, string label, string unit, Func<Action<int, int>, T> work) =>
        ProgressDisplay.Run(console, quiet, label, 100, "%", sink =>
            work((done, total) => sink.Report(total == 0 ? 100 : 100L * done / total, $"{done}/{total} {unit}")));
}
