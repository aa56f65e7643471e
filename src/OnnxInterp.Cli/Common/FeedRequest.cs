namespace OnnxInterp.Cli.Common;

/// <summary>What the user asked to feed, checked for form (not yet against a model).</summary>
public sealed record FeedRequest(string? Prompt, IReadOnlyList<long>? TokenIds, IReadOnlyList<(string Name, string File)> InputFiles)
{
    public bool HasTokens => Prompt is not null || TokenIds is not null;
    public bool IsEmpty => !HasTokens && InputFiles.Count == 0;

    /// <summary>Whether a --prompt is fed after GPT-2's BOS token, as TransformerLens and the shipped models' training do.</summary>
    public bool PrependBos { get; init; } = true;

    /// <summary>The token ids to feed: --tokens as given, or the tokenized --prompt (after BOS unless --no-bos).</summary>
    public IReadOnlyList<long> Ids() =>
        TokenIds ?? [.. PrependBos ? [(long)Analysis.Lens.BosToken.Gpt2] : Array.Empty<long>(), .. Analysis.Gpt2Tokens.Encode(Prompt!)];

    public static FeedRequest Parse(string? prompt, string? tokens, IReadOnlyList<string> inputs)
    {
        if (prompt is not null && tokens is not null)
            throw new UsageException("give either --prompt or --tokens, not both.");
        if (prompt is { Length: 0 })
            throw new UsageException("--prompt is empty; give some text to tokenize.");
        return new FeedRequest(prompt, tokens is null ? null : TokenIdList.Parse(tokens), [.. inputs.Select(ParseInput)]);
    }

    static (string Name, string File) ParseInput(string text)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0 || equals == text.Length - 1)
            throw new UsageException($"--input '{text}' must be NAME=FILE, e.g. --input input_ids=ids.json.");
        return (text[..equals], text[(equals + 1)..]);
    }
}
