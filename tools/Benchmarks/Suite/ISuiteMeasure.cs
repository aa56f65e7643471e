namespace OnnxInterp.Benchmarks.Suite;

/// <summary>One measure of the suite: its id (the result's "measure", or a prefix of several) and how it runs.</summary>
public interface ISuiteMeasure
{
    /// <summary>The measure id, e.g. <c>forward</c>, <c>sweep.resid_pre</c>, <c>hooks.exposed</c>.</summary>
    string Id { get; }

    /// <summary>Runs the selected variants and adds their results to the context.</summary>
    void Run(SuiteContext context);
}
