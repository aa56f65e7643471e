namespace OnnxInterp.Benchmarks.Report;

public static class ReportCommand
{
    public static int Run(IReadOnlyList<string> args) => 0;
}
