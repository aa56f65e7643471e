namespace OnnxInterp.Cli.Progress;

/// <summary>Where long work reports: how much is done (of the total the display was given), and one-line notices that must not break the display.</summary>
public interface IProgressSink
{
    /// <param name="detail">What to show instead of "done/total unit" (the count in the work's own terms, the step running).</param>
    void Report(long done, string? detail = null);
    void Notice(string line);
}
