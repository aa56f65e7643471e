using System.Diagnostics;

namespace OnnxInterp.Cli.Progress;

/// <summary>Progress as whole lines for logs: <c>maxact: 120/400 examples (30%), 3.2 s, about 7 s left</c>, at most every <c>every</c> and once at the end.</summary>
internal sealed class PlainLineSink(CliConsole console, string label, long total, string unit, TimeSpan every) : IProgressSink
{
    readonly Stopwatch clock = Stopwatch.StartNew();
    TimeSpan lastShown = TimeSpan.FromDays(-1);
    bool finished;

    public void Report(long done, string? detail = null)
    {
        var now = clock.Elapsed;
        if (finished || done < total && now - lastShown < every) return;
        finished = done >= total;
        lastShown = now;
        double share = total > 0 ? Math.Min(1, (double)done / total) : 0;
        var left = share > 0 && done < total ? $", about {now.TotalSeconds * (1 - share) / share:0} s left" : "";
        console.Error.WriteLine($"{label}: {detail ?? $"{done:N0}/{total:N0} {unit}"} ({share * 100:0}%), {now.TotalSeconds:0.0} s{left}");
    }

    public void Notice(string line) => console.Notice(line);
}
