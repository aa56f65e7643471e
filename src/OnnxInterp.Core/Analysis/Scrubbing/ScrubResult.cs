namespace OnnxInterp.Analysis.Scrubbing;

/// <summary>
/// What to scrub: the hypothesis, the dataset, how many examples to sample, the seed, and the bootstrap size of the
/// interval. With <paramref name="Share"/>, only that share of the samples runs (sample k on share k mod N; every
/// share builds the same trees from the seed); <see cref="CausalScrubbing.Join"/> puts the shares back together.
/// </summary>
public sealed record ScrubRequest(Hypothesis Hypothesis, ScrubDataset Dataset, int Samples = 64, int Seed = 0, int BootstrapResamples = 1000,
    Patching.WorkShare? Share = null);

/// <summary>
/// Mean next-token losses over the sampled examples, clean, scrubbed and fully resampled; the share of the loss the
/// hypothesis recovers, <c>(random - scrubbed) / (random - clean)</c>, with a 95 % bootstrap interval over samples; the
/// mean rows one sample's tree adds; the plan's size. Per-sample losses are kept for further analysis (NaN for the samples
/// another share ran); the seed and bootstrap size let shares be joined into the same numbers.
/// </summary>
public sealed record ScrubResult(string Hypothesis, double CleanLoss, double ScrubbedLoss, double RandomLoss, double Recovered, double RecoveredLow, double RecoveredHigh,
    int Samples, double TreeSize, IReadOnlyList<int> LossPositions, int PlanRows, int Runs, int BatchRows,
    IReadOnlyList<double> ScrubbedPerSample, IReadOnlyList<double> CleanPerSample, IReadOnlyList<double> RandomPerSample,
    int Seed = 0, int BootstrapResamples = 1000);
