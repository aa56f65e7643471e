using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// Checks a spec's steps before anything runs: resolves paths against the spec's folder, loads each model once, tokenizes
/// prompts, and turns every problem into a <see cref="SpecException"/> naming the field. Steps call it while planning.
/// </summary>
internal sealed class SpecPlanner(ExperimentSpec spec, string specFolder, Action<string> notice)
{
    readonly Dictionary<string, HookedModel> models = new(StringComparer.Ordinal);

    public ExperimentSpec Spec => spec;

    /// <summary>Every model loaded so far, by full path.</summary>
    public IReadOnlyDictionary<string, HookedModel> LoadedModels => models;

    /// <summary>A path from the spec, relative to the spec's folder; a missing file fails at <paramref name="field"/>.</summary>
    public string ExistingFile(string path, string field)
    {
        if (path.Length == 0) throw new SpecException(field, "is empty; give a file path (relative to the spec file's folder).");
        var full = Path.GetFullPath(Path.Combine(specFolder, path));
        if (!File.Exists(full)) throw new SpecException(field, $"file not found: {path} (looked for {full}; paths are relative to the spec file's folder).");
        return full;
    }

    public string ModelPath(StepSpec step, string field) =>
        step.Model is { } own ? ExistingFile(own, field + ".model") : ExistingFile(spec.Model, "model");

    /// <summary>The step's model (its own, else the spec's), loaded and recognised once per path.</summary>
    public HookedModel Model(StepSpec step, string field)
    {
        var path = ModelPath(step, field);
        if (models.TryGetValue(path, out var loaded)) return loaded;
        var hookMap = spec.HookMap is { } map ? ExistingFile(map, "hookMap") : null;
        try
        {
            return models[path] = AnalysisInputs.Load(path, hookMap);
        }
        catch (Exception e) when (e is UsageException or IOException or InvalidDataException or Onnx.OnnxFormatException)
        {
            throw new SpecException(step.Model is null ? "model" : field + ".model", e.Message);
        }
    }

    public int Seed(StepSpec step) => step.Seed ?? spec.Seed;

    /// <summary>Reads a value through <paramref name="read"/>, turning a usage error (or a library's argument error) into one naming <paramref name="field"/>.</summary>
    public static T At<T>(string field, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is UsageException or ArgumentException or Hooks.HookMapException) { throw new SpecException(field, e.Message); }
    }

    /// <summary>The step's prompts (its own, else the spec's), tokenized and checked against the model.</summary>
    public ResolvedPrompts Prompts(StepSpec step, HookedModel model, string field)
    {
        var (set, at) = step.Prompts is { } own ? (own, field + ".prompts") : (spec.Prompts, "prompts");
        if (set is null) throw new SpecException(field + ".prompts", $"the {step.Kind} step needs prompts: give \"prompts\" in the step or at the top of the spec.");
        int chosen = (set.Pairs is not null ? 1 : 0) + (set.Ioi is not null ? 1 : 0) + (set.Repeated is not null ? 1 : 0);
        if (chosen != 1) throw new SpecException(at, "give exactly one of \"pairs\", \"ioi\" or \"repeated\".");
        int seed = set.Seed ?? Seed(step);
        if (set.Ioi is { } n)
        {
            if (n < 1) throw new SpecException(at + ".ioi", $"must be at least 1, not {n}.");
            if (!BosToken.UsesGpt2Vocabulary(model))
                throw new SpecException(at + ".ioi", $"IOI prompts need a model with GPT-2's vocabulary; this one has {model.Map.DVocab} tokens. Give \"pairs\" with token ids instead.");
            int datasetSeed = int.TryParse(model.Model.Metadata("onnxinterp.ioi.dataset_seed"), out var s) ? s : IoiDataset.DefaultSeed;
            var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer(), datasetSeed), n, seed, set.IoiTemplate);
            return new ResolvedPrompts($"{n} IOI pairs (template {set.IoiTemplate}, seed {seed})", seed,
                [.. pairs.Select(p => new ResolvedPrompt([.. p.Clean], [.. p.Corrupted], p.Answer, p.Wrong))], false);
        }
        if (set.Repeated is { } count)
        {
            if (count < 1) throw new SpecException(at + ".repeated", $"must be at least 1, not {count}.");
            int length = model.Map.Config.NCtx is > 0 and var ctx ? ctx : 48;
            if (length < 9) throw new SpecException(at + ".repeated", $"the model's context ({length}) is too short for repeated segments.");
            var seqs = RepeatedTokens.RandomSegment(seed, count, length, model.Map.DVocab, 4, Math.Min(19, (length - 1) / 2));
            return new ResolvedPrompts($"{count} random sequences of {length} tokens with a repeated segment (seed {seed})", seed,
                [.. seqs.Select(q => new ResolvedPrompt([.. q.Tokens.Select(t => (long)t)], null, -1, -1, [.. q.SecondOccurrencePredictionPositions]))], true);
        }
        if (set.Pairs!.Count == 0) throw new SpecException(at + ".pairs", "is empty; give at least one prompt.");
        var items = set.Pairs.Select((p, j) => Pair(p, model, $"{at}.pairs[{j}]")).ToList();
        for (int j = 1; j < items.Count; j++)
            if (items[j].Clean.Length != items[0].Clean.Length)
                throw new SpecException($"{at}.pairs[{j}]", $"is {items[j].Clean.Length} tokens but pairs[0] is {items[0].Clean.Length}; prompts of one step must have the same token length.");
        return new ResolvedPrompts($"{items.Count} given prompt{(items.Count == 1 ? "" : "s")}", null, items, false);
    }

    ResolvedPrompt Pair(PromptSpec p, HookedModel model, string at)
    {
        var clean = Tokens(model, p.Clean, p.CleanTokens, p.NoBos, at + ".clean", required: true)!;
        var corrupted = Tokens(model, p.Corrupted, p.CorruptedTokens, p.NoBos, at + ".corrupted", required: false);
        if (corrupted is not null && corrupted.Length != clean.Length)
            throw new SpecException(at + ".corrupted", $"is {corrupted.Length} tokens but the clean prompt is {clean.Length}; patching needs prompts of equal token length.");
        var answer = At(at + ".answer", () => AnalysisInputs.ReadToken(model, p.Answer, p.AnswerId, "answer"));
        var wrong = At(at + ".wrong", () => AnalysisInputs.ReadToken(model, p.Wrong, p.WrongId, "wrong"));
        WarnWithoutSpace(p.Answer, at + ".answer");
        WarnWithoutSpace(p.Wrong, at + ".wrong");
        return new ResolvedPrompt(clean, corrupted, answer ?? -1, wrong ?? -1);
    }

    long[]? Tokens(HookedModel model, string? text, IReadOnlyList<int>? ids, bool noBos, string field, bool required)
    {
        if (text is not null && ids is not null) throw new SpecException(field, $"give either \"{Leaf(field)}\" (text) or \"{Leaf(field)}Tokens\" (ids), not both.");
        if (text is null && ids is null)
            return required ? throw new SpecException(field, $"is missing; give \"{Leaf(field)}\" (text) or \"{Leaf(field)}Tokens\" (ids).") : null;
        if (ids is not null)
        {
            if (ids.Count == 0) throw new SpecException(field + "Tokens", "is empty.");
            int bad = ids.ToList().FindIndex(t => t < 0 || t >= model.Map.DVocab);
            if (bad >= 0) throw new SpecException($"{field}Tokens[{bad}]", $"{ids[bad]} is not a token id of this model (0..{model.Map.DVocab - 1}).");
            return [.. ids.Select(t => (long)t)];
        }
        return [.. At(field, () => AnalysisInputs.ReadTokens(model, text, null, noBos))!.Select(t => (long)t)];
    }

    /// <summary>" Mary" and "Mary" are different GPT-2 tokens; a word without its leading space is usually a mistake.</summary>
    void WarnWithoutSpace(string? token, string field)
    {
        if (token is { Length: > 0 } t && char.IsLetterOrDigit(t[0]))
            notice($"warning: {field} \"{t}\" has no leading space; after another word the token is usually \" {t}\".");
    }

    static string Leaf(string field) => field[(field.LastIndexOf('.') + 1)..];
}
