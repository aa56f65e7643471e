using Spectre.Console;

namespace OnnxInterp.Cli.Progress;

/// <summary>
/// Progress of work that takes more than a moment, on stderr so stdout stays parseable: a Spectre.Console bar with the
/// count, percentage and time remaining when stderr is a terminal; plain lines (at most one every few seconds, and
/// one at the end) when it is redirected to a file or a CI log; nothing but notices with <c>--quiet</c>.
/// </summary>
public static class ProgressDisplay
{
    /// <param name="lineInterval">How often a plain line may be written (default 5 s); zero writes every report, as an experiment does per step.</param>
    public static T Run<T>(CliConsole console, bool quiet, string label, long total, string unit, Func<IProgressSink, T> work, TimeSpan? lineInterval = null)
    {
        if (quiet) return work(new QuietSink(console));
        bool terminal = ReferenceEquals(console.Error, Console.Error) && !Console.IsErrorRedirected;
        if (!terminal) return work(new PlainLineSink(console, label, total, unit, lineInterval ?? TimeSpan.FromSeconds(5)));
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return ansi.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => work(new BarSink(ansi, context.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total)), label, total, unit)));
    }

    sealed class QuietSink(CliConsole console) : IProgressSink
    {
        public void Report(long done, string? detail = null) { }
        public void Notice(string line) => console.Notice(line);
    }

    sealed class BarSink(IAnsiConsole ansi, ProgressTask task, string label, long total, string unit) : IProgressSink
    {
        public void Report(long done, string? detail = null)
        {
            task.Value = Math.Min(done, Math.Max(1, total));
            task.Description = Markup.Escape($"{label} {detail ?? $"{done:N0}/{total:N0} {unit}"}");
        }

        public void Notice(string line) => ansi.WriteLine(line);
    }
}
