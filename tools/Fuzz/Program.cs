using OnnxInterp.Fuzz;

// dotnet run --project tools/Fuzz -c Release -- [CASES (10000)] [SEED (1)]: exit 1 when any case broke the contract.
int cases = args.Length > 0 ? int.Parse(args[0]) : 10_000;
int seed = args.Length > 1 ? int.Parse(args[1]) : 1;
var started = DateTime.UtcNow;
var report = FuzzReport.Run(cases, seed, TimeSpan.FromSeconds(60));
foreach (var failure in report.Failures) Console.WriteLine(failure);
Console.WriteLine($"{report} (seed {seed}, {(DateTime.UtcNow - started).TotalSeconds:0} s)");
return report.Broken == 0 ? 0 : 1;
