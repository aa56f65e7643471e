using OnnxInterp.Analysis.Engine;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// Generation as engine plans: every decoding step is one plan whose rows are the sequences still going (one plan per
/// sequence length, since rows of a run share a length), whose writes are the request's interventions translated to the
/// step's positions (<see cref="StepWrites"/>), and, on a graph with past key/values, whose <c>Outputs</c> are the presents
/// that the next step feeds back as past. Without past inputs (or with <see cref="GenerationRequest.UsePast"/> false) each
/// step recomputes the whole sequence. Logits are computed at each row's last position only.
/// </summary>
public sealed class Generator : IDisposable
{
    readonly bool ownsEngine;

    public Generator(InterventionEngine engine) : this(engine, false) { }

    Generator(InterventionEngine engine, bool ownsEngine)
    {
        Engine = engine;
        this.ownsEngine = ownsEngine;
        Past = PastKeyValues.Find(engine.Model.Model.Graph);
    }

    /// <summary>
    /// Loads a model for generation: a merged decoder's with-past branch is inlined (<see cref="WithPastBranch"/>) so decoding
    /// uses its past key/values; other files load as <see cref="HookedModel.Load"/> does.
    /// </summary>
    public static Generator Load(string path, string? hookMap = null, InterventionOptions? options = null) =>
        From(Graph.OnnxModel.Load(path), hookMap, options);

    /// <summary><see cref="Load"/> for a model already read.</summary>
    public static Generator From(Graph.OnnxModel file, string? hookMap = null, InterventionOptions? options = null)
    {
        var model = hookMap is null ? HookedModel.From(WithPastBranch.Inline(file)) : HookedModel.From(file, hookMap);
        return new Generator(new InterventionEngine(model, options), true);
    }

    public InterventionEngine Engine { get; }
    public HookMap Hooks => Engine.Model.Map;
    /// <summary>The graph's past key/value inputs and their presents; null when it has none (every step recomputes).</summary>
    public PastKeyValues? Past { get; }

    /// <summary>Generates every row; <paramref name="onToken"/> sees each token as it is chosen (streaming).</summary>
    public GenerationResult Generate(GenerationRequest request, Action<GeneratedToken>? onToken = null)
    {
        var rows = request.Rows;
        Check(request);
        bool past = request.UsePast && Past is not null;
        var sampler = new TokenSampler(request.SamplingOrGreedy);
        var steps = rows.Select(_ => new List<GenerationStep>()).ToArray();
        var stopped = new bool[rows.Count];
        var sequences = rows.Select(r => r.Prompt.ToList()).ToArray();
        var presents = new IReadOnlyDictionary<string, NamedTensor>?[rows.Count];
        var stops = request.Stops.ToHashSet();
        int plans = 0, runs = 0;

        for (int step = 0; step < request.MaxNewTokens; step++)
        {
            var active = Enumerable.Range(0, rows.Count).Where(r => !stopped[r]).ToList();
            if (active.Count == 0) break;
            foreach (var group in active.GroupBy(r => sequences[r].Count))
            {
                var members = group.ToList();
                int total = group.Key;
                // With past, the prompt step computes the whole prompt and later steps the newest token alone.
                int start = past && step > 0 ? total - 1 : 0, length = total - start;
                var plan = new InterventionPlan(
                    [.. members.Select(r => new PlanRow(sequences[r].GetRange(start, length),
                        StepWrites.For(rows[r].WriteList, Hooks, rows[r].Prompt.Count, start, length),
                        past && step > 0 ? Past!.StepFeeds(presents[r]!, total) : null))],
                    Logits: LogitReads.At(length - 1),
                    Output: Engine.Options.Output,
                    Outputs: past ? [.. Past!.Slots.Select(s => s.Output)] : null,
                    PastLength: start);
                var result = Engine.Run(plan);
                plans++;
                runs += result.Runs;
                for (int i = 0; i < members.Count; i++)
                {
                    int r = members[i];
                    var row = result[i];
                    if (past) presents[r] = Past!.Slots.ToDictionary(s => s.Output, s => row[s.Output], StringComparer.Ordinal);
                    var logits = row.LogitsAt(length - 1);
                    long token = sampler.Next(logits);
                    steps[r].Add(Step(logits, token, request.TopAlternatives));
                    sequences[r].Add(token);
                    stopped[r] = stops.Contains(token);
                    onToken?.Invoke(new GeneratedToken(r, step, token, stopped[r]));
                }
            }
        }
        return new GenerationResult([.. rows.Select((row, r) => new GeneratedSequence(row.Prompt, steps[r], stopped[r]))], past, plans, runs);
    }

    /// <summary>Fails, before anything runs, on a request this model cannot generate (no token input, past the context window, bad writes).</summary>
    public void Check(GenerationRequest request)
    {
        if (request.Rows.Count == 0) throw new ArgumentException("nothing to generate: the request has no rows.");
        if (request.MaxNewTokens < 1) throw new ArgumentException($"the number of new tokens must be at least 1, not {request.MaxNewTokens}.");
        request.SamplingOrGreedy.Check();
        if (!TokenFeeds.Accepts(Engine.Model.Model.Graph))
            throw new FeedException($"the model has no '{TokenFeeds.InputIds}' input, so it does not take token ids and cannot generate text.");
        int context = Hooks.Config.NCtx;
        for (int r = 0; r < request.Rows.Count; r++)
        {
            var prompt = request.Rows[r].Prompt;
            if (prompt.Count == 0) throw new ArgumentException($"row {r} has an empty prompt; give at least one token.");
            if (context > 0 && prompt.Count + request.MaxNewTokens > context)
                throw new FeedException($"a prompt of {prompt.Count} tokens plus {request.MaxNewTokens} new tokens is {prompt.Count + request.MaxNewTokens}, past the model's context window of {context} positions; ask for at most {Math.Max(0, context - prompt.Count)} new tokens.");
            StepWrites.Check(request.Rows[r].WriteList, Hooks);
        }
    }

    /// <summary>
    /// The chosen token's softmax probability (in double) and the <paramref name="k"/> most likely tokens, most likely first
    /// (ties to the lower id), found in one pass: a full sort of a 50257-token vocabulary would cost more than a small model's step.
    /// </summary>
    static GenerationStep Step(ReadOnlySpan<float> logits, long token, int k)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var l in logits) max = Math.Max(max, l);
        foreach (var l in logits) sum += Math.Exp(l - max);
        k = Math.Min(k, logits.Length);
        var best = new List<int>(k + 1);
        for (int i = 0; i < logits.Length && k > 0; i++)
        {
            if (best.Count == k && logits[i] <= logits[best[^1]]) continue;
            int at = best.Count;
            while (at > 0 && logits[best[at - 1]] < logits[i]) at--;
            best.Insert(at, i);
            if (best.Count > k) best.RemoveAt(k);
        }
        var top = new List<TokenProbability>(best.Count);
        foreach (var i in best) top.Add(new TokenProbability(i, logits[i], Math.Exp(logits[i] - max) / sum));
        return new GenerationStep(token, Math.Exp(logits[(int)token] - max) / sum, top);
    }

    public void Dispose()
    {
        if (ownsEngine) Engine.Dispose();
    }
}
