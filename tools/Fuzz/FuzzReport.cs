namespace OnnxInterp.Fuzz;

/// <summary>Counts per outcome and the first few cases that broke the contract.</summary>
public sealed class FuzzReport
{
    readonly Dictionary<Outcome, int> counts = Enum.GetValues<Outcome>().ToDictionary(o => o, _ => 0);
    readonly List<string> failures = [];

    public int Cases { get; private set; }
    public IReadOnlyDictionary<Outcome, int> Counts => counts;
    public IReadOnlyList<string> Failures => failures;
    public int Broken => counts[Outcome.Crash] + counts[Outcome.InputModified] + counts[Outcome.OutputLeftBehind] + counts[Outcome.Hang];

    public static FuzzReport Run(int cases, int seed, TimeSpan timeout)
    {
        var report = new FuzzReport();
        var generator = new CaseGenerator(seed);
        for (int i = 0; i < cases; i++)
        {
            var fuzzCase = generator.Next();
            var (outcome, detail) = CaseRunner.Run(fuzzCase, timeout);
            report.Cases++;
            report.counts[outcome]++;
            if (outcome is not (Outcome.Success or Outcome.CleanError) && report.failures.Count < 20)
                report.failures.Add($"case {i} ({fuzzCase.Kind}): {outcome}: {detail}");
        }
        return report;
    }

    public override string ToString() =>
        $"cases {Cases}, successes {counts[Outcome.Success]}, clean errors {counts[Outcome.CleanError]}, crashes {counts[Outcome.Crash]}, " +
        $"inputs modified {counts[Outcome.InputModified]}, outputs left behind {counts[Outcome.OutputLeftBehind]}, hangs {counts[Outcome.Hang]}";
}
