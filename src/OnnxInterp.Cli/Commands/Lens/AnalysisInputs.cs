using System.CommandLine;
using System.Globalization;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Hooks;

namespace OnnxInterp.Cli.Commands.Lens;

/// <summary>
/// What the analysis verbs (lens, attribute, heads, maxact, fourier) share: loading a model with its hook map, reading a
/// prompt or token ids, naming answer tokens, and printing tokens. Errors the user can fix are <see cref="UsageException"/>s.
/// </summary>
public static class AnalysisInputs
{
    public static Option<string> PromptOption() => new("--prompt")
    {
        Description = "Text, tokenized with the GPT-2 tokenizer and prefixed with BOS (<|endoftext|>) as TransformerLens does; the model must have GPT-2's vocabulary.",
        HelpName = "TEXT",
    };

    public static Option<string> TokensOption() => new("--tokens")
    {
        Description = "Token ids, comma-separated (e.g. 0,5,9,5), used exactly as given: for models with their own vocabulary.",
        HelpName = "IDS",
    };

    /// <summary>Loads and recognises the model (or reads its hook map); an unrecognised model is a usage error naming what to do.</summary>
    public static HookedModel Load(string path, string? hookMap)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}.", path);
        try
        {
            return HookedModel.Load(path, hookMap);
        }
        catch (UnrecognisedModelException e)
        {
            throw new UsageException($"{e.Message.TrimEnd('.')}. Give --hook-map FILE for this model.");
        }
        catch (HookMapException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// The ids of --prompt (GPT-2, with BOS unless <paramref name="noBos"/>) or --tokens, checked against the vocabulary
    /// and the context window (so every verb reading tokens here, patch and ablate included, refuses an over-long
    /// sequence); null when neither was given.
    /// </summary>
    public static int[]? ReadTokens(HookedModel model, string? prompt, string? tokens, bool noBos)
    {
        if (prompt is not null && tokens is not null) throw new UsageException("give either --prompt or --tokens, not both.");
        int vocab = model.Map.DVocab;
        if (prompt is not null)
        {
            if (prompt.Length == 0) throw new UsageException("--prompt is empty; give some text to tokenize.");
            if (!BosToken.UsesGpt2Vocabulary(model))
                throw new UsageException($"--prompt needs GPT-2's vocabulary ({Gpt2Tokens.VocabularySize} tokens) but the model has {vocab}; give ids with --tokens.");
            var ids = Gpt2Tokens.Encode(prompt).Select(t => (int)t);
            int[] encoded = noBos ? [.. ids] : [BosToken.Of(model), .. ids];
            ContextWindowCheck.Check(model, [encoded.Length], "--prompt");
            return encoded;
        }
        if (tokens is null) return null;
        var parsed = TokenIdList.Parse(tokens);
        var bad = parsed.Select((id, i) => (id, i)).FirstOrDefault(p => vocab > 0 && p.id >= vocab);
        if (vocab > 0 && bad.id >= vocab)
            throw new UsageException($"--tokens: '{bad.id}' (position {bad.i}) is not a token id of this model (0..{vocab - 1}).");
        ContextWindowCheck.Check(model, [parsed.Count], "--tokens");
        return [.. parsed.Select(id => (int)id)];
    }

    /// <summary>
    /// A token given as text (GPT-2, must be exactly one token, e.g. " Paris") or as an id; null when neither was given.
    /// </summary>
    public static int? ReadToken(HookedModel model, string? text, int? id, string option)
    {
        if (text is not null && id is not null) throw new UsageException($"give either {option} or {option}-id, not both.");
        int vocab = model.Map.DVocab;
        if (id is { } given)
        {
            if (given < 0 || vocab > 0 && given >= vocab) throw new UsageException($"{option}-id {given} is outside the model's vocabulary 0..{vocab - 1}.");
            return given;
        }
        if (text is null) return null;
        if (!BosToken.UsesGpt2Vocabulary(model))
            throw new UsageException($"{option} takes GPT-2 text but the model's vocabulary has {vocab} tokens; give {option}-id ID.");
        var ids = Gpt2Tokens.Encode(text);
        if (ids.Count != 1)
            throw new UsageException($"{option} \"{text}\" is {ids.Count} GPT-2 tokens ({string.Join(", ", ids)}); it must be exactly one (mind the leading space: \" Paris\").");
        return (int)ids[0];
    }

    /// <summary>A token for display: its GPT-2 text for GPT-2-vocabulary models, else its id.</summary>
    public static string Text(HookedModel model, long id) =>
        BosToken.UsesGpt2Vocabulary(model) ? Gpt2Tokens.Decode(id) ?? $"#{id}" : id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A token quoted for a text table: newlines and tabs made visible.</summary>
    public static string Quoted(string token) => "\"" + token.Replace("\n", "\\n").Replace("\t", "\\t") + "\"";
}
