using System.CommandLine;
using OnnxInterp.Analysis.Datasets;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Analysis.Metrics;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.Patch;

/// <summary>
/// The prompt-pair options of <c>patch</c> and <c>path-patch</c>: one pair as text or ids with its answer and wrong
/// token, <c>--pairs FILE.jsonl</c>, or <c>--ioi N</c>; and reading them into checked pairs.
/// </summary>
public sealed class PromptPairOptions
{
    public Option<string> Clean { get; } = new("--clean") { Description = "The clean prompt (GPT-2 text, prefixed with BOS unless --no-bos).", HelpName = "TEXT" };
    public Option<string> Corrupted { get; } = new("--corrupted") { Description = "The corrupted prompt: same token length as --clean.", HelpName = "TEXT" };
    public Option<string> CleanTokens { get; } = new("--clean-tokens") { Description = "The clean prompt as token ids, comma-separated (models with their own vocabulary).", HelpName = "IDS" };
    public Option<string> CorruptedTokens { get; } = new("--corrupted-tokens") { Description = "The corrupted prompt as token ids: same length as --clean-tokens.", HelpName = "IDS" };
    public Option<string> Answer { get; } = new("--answer") { Description = "The correct next token as GPT-2 text (one token, mind the leading space: \" Mary\").", HelpName = "TOKEN" };
    public Option<int?> AnswerId { get; } = new("--answer-id") { Description = "The correct next token as an id.", HelpName = "ID" };
    public Option<string> Wrong { get; } = new("--wrong") { Description = "The wrong-answer token for the logit difference, as GPT-2 text.", HelpName = "TOKEN" };
    public Option<int?> WrongId { get; } = new("--wrong-id") { Description = "The wrong-answer token as an id.", HelpName = "ID" };
    public Option<int?> Ioi { get; } = new("--ioi") { Description = "Use N IOI prompt pairs (one template, ABBA/BABA alternating, corrupted = three other names; answer = indirect object, wrong = subject) instead of --clean/--corrupted.", HelpName = "N" };
    public Option<string> Pairs { get; } = new("--pairs") { Description = "A JSONL file of prompt pairs, one per line: {\"clean\": TEXT or [ids], \"corrupted\": ..., \"answer\": \" Mary\" or id, \"wrong\": ..., \"pos\": N (optional)}; all pairs the same token length.", HelpName = "FILE" };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the --ioi names and places.", HelpName = "S", DefaultValueFactory = _ => 0 };
    public Option<int> Template { get; } = new("--ioi-template") { Description = "Which training template --ioi uses (index, modulo their number).", HelpName = "K", DefaultValueFactory = _ => 0 };
    public Option<bool> NoBos { get; } = CommonOptions.NoBos();
    public Option<int?> Position { get; } = new("--pos") { Description = "Position whose prediction the metric reads (default: the last token; negative counts from the end).", HelpName = "N" };

    public IEnumerable<Option> All => [Clean, Corrupted, CleanTokens, CorruptedTokens, Answer, AnswerId, Wrong, WrongId, Ioi, Pairs, Seed, Template, NoBos, Position];

    /// <summary>Throws a usage error unless exactly one kind of prompts was given.</summary>
    public void CheckOneKind(ParseResult parse)
    {
        bool text = parse.GetValue(Clean) is not null || parse.GetValue(Corrupted) is not null;
        bool ids = parse.GetValue(CleanTokens) is not null || parse.GetValue(CorruptedTokens) is not null;
        int sources = (text ? 1 : 0) + (ids ? 1 : 0) + (parse.GetValue(Ioi) is not null ? 1 : 0) + (parse.GetValue(Pairs) is not null ? 1 : 0);
        if (sources == 0) throw new UsageException("nothing to patch: give --clean TEXT --corrupted TEXT (or --clean-tokens/--corrupted-tokens IDS), --pairs FILE.jsonl, or --ioi N.");
        if (sources > 1) throw new UsageException("give one kind of prompts: --clean/--corrupted text, --clean-tokens/--corrupted-tokens ids, --pairs FILE.jsonl, or --ioi N.");
    }

    /// <summary>The pairs the options give, checked against the model and the metric.</summary>
    public List<PromptPair> Read(ParseResult parse, HookedModel model, MetricKind metric)
    {
        bool noBos = parse.GetValue(NoBos);
        int? position = parse.GetValue(Position);
        if (parse.GetValue(Ioi) is { } n)
        {
            if (n < 1) throw new UsageException($"--ioi must be at least 1, not {n}.");
            if (!BosToken.UsesGpt2Vocabulary(model))
                throw new UsageException($"--ioi needs a model with GPT-2's vocabulary; this one has {model.Map.DVocab} tokens. Give --clean-tokens and --corrupted-tokens instead.");
            if (parse.GetValue(Answer) is not null || parse.GetValue(AnswerId) is not null || parse.GetValue(Wrong) is not null || parse.GetValue(WrongId) is not null)
                throw new UsageException("--ioi sets the answer (indirect object) and wrong answer (subject) itself; leave out --answer and --wrong.");
            int datasetSeed = int.TryParse(model.Model.Metadata("onnxinterp.ioi.dataset_seed"), out var s) ? s : IoiDataset.DefaultSeed;
            var (pairs, _) = IoiPairs.Create(new IoiDataset(IoiDataset.Gpt2Tokenizer(), datasetSeed), n, parse.GetValue(Seed), parse.GetValue(Template));
            return [.. pairs.Select(p => p with { Position = position ?? -1 })];
        }
        if (parse.GetValue(Pairs) is { } file)
        {
            if (parse.GetValue(Answer) is not null || parse.GetValue(AnswerId) is not null || parse.GetValue(Wrong) is not null || parse.GetValue(WrongId) is not null)
                throw new UsageException("--pairs gives each pair's answer and wrong answer itself; leave out --answer and --wrong.");
            return PairsFile.Read(model, file, noBos, position);
        }
        bool text = parse.GetValue(Clean) is not null || parse.GetValue(Corrupted) is not null;
        var (cleanOption, corruptedOption) = text ? ("--clean", "--corrupted") : ("--clean-tokens", "--corrupted-tokens");
        var clean = text ? AnalysisInputs.ReadTokens(model, parse.GetValue(Clean), null, noBos) : AnalysisInputs.ReadTokens(model, null, parse.GetValue(CleanTokens), noBos);
        var corrupted = text ? AnalysisInputs.ReadTokens(model, parse.GetValue(Corrupted), null, noBos) : AnalysisInputs.ReadTokens(model, null, parse.GetValue(CorruptedTokens), noBos);
        if (clean is null) throw new UsageException($"{corruptedOption} was given without {cleanOption}; patching needs both prompts.");
        if (corrupted is null) throw new UsageException($"{cleanOption} was given without {corruptedOption}; patching needs both prompts.");
        if (clean.Length != corrupted.Length)
            throw new UsageException($"the clean prompt is {clean.Length} tokens but the corrupted prompt is {corrupted.Length}; activation patching needs prompts of equal token length (reword one so both tokenize to the same length).");
        var answer = AnalysisInputs.ReadToken(model, parse.GetValue(Answer), parse.GetValue(AnswerId), "--answer");
        var wrong = AnalysisInputs.ReadToken(model, parse.GetValue(Wrong), parse.GetValue(WrongId), "--wrong");
        if (metric == MetricKind.LogitDiff && (answer is null || wrong is null))
            throw new UsageException("the logit-diff metric needs --answer and --wrong (or their -id forms); or choose --metric loss, prob or kl.");
        if (metric is MetricKind.Probability or MetricKind.Rank or MetricKind.Loss or MetricKind.Accuracy && answer is null)
            throw new UsageException($"--metric {MetricNames.Name(metric)} needs --answer (or --answer-id).");
        int pos = position ?? -1;
        if (pos >= clean.Length || pos < -clean.Length) throw new UsageException($"--pos {pos} is outside the {clean.Length} tokens.");
        return [new PromptPair([.. clean.Select(t => (long)t)], [.. corrupted.Select(t => (long)t)], answer ?? -1, wrong ?? -1, pos)];
    }
}
