using OnnxInterp.Fuzz;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Issue #14 item 8: a few hundred cases of the fuzz harness (tools/Fuzz; the full run is 10,000) in the suite: damaged
/// models, protobuf mutations, external-data records and command lines, each judged against docs/safety.md.
/// </summary>
public class FuzzSampleTests
{
    [Fact]
    public void Three_hundred_fuzz_cases_end_in_success_or_a_clean_error_and_touch_no_input()
    {
        if (!OperatingSystem.IsLinux()) return; // the cases use symbolic links and /etc paths
        var report = FuzzReport.Run(cases: 300, seed: 7, timeout: TimeSpan.FromSeconds(60));
        Assert.True(report.Broken == 0, $"{report}\n{string.Join("\n", report.Failures)}");
        // The harness itself: it must reach both ends, or it tests nothing.
        Assert.True(report.Counts[Outcome.CleanError] > 100, report.ToString());
        Assert.True(report.Counts[Outcome.Success] > 10, report.ToString());
    }
}
