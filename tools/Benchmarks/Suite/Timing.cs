using System.Diagnostics;

namespace OnnxInterp.Benchmarks.Suite;

/// <summary>Medians of timed repetitions. Variants of one measure run round robin, so a burst of load on a shared machine hits each alike.</summary>
public static class Timing
{
    /// <summary>Seconds one call takes.</summary>
    public static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Seconds one call takes, and what it returned.</summary>
    public static (double Seconds, T Value) Once<T>(Func<T> func)
    {
        var clock = Stopwatch.StartNew();
        var value = func();
        return (clock.Elapsed.TotalSeconds, value);
    }

    /// <summary>
    /// Runs every action <paramref name="warmup"/> times, then <paramref name="reps"/> timed rounds in which each action
    /// runs once, in turn; returns each action's median seconds.
    /// </summary>
    public static double[] RoundRobin(IReadOnlyList<Action> actions, int reps, int warmup)
    {
        foreach (var a in actions)
            for (int i = 0; i < warmup; i++) a();
        var times = actions.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < reps; r++)
            for (int a = 0; a < actions.Count; a++) times[a].Add(Seconds(actions[a]));
        return [.. times.Select(Median)];
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values to take the median of.");
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
