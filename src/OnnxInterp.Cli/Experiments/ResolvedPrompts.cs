namespace OnnxInterp.Cli.Experiments;

/// <summary>A step's prompts after tokenizing and checking: what they are (for the report) and each prompt with its tokens to score.</summary>
internal sealed record ResolvedPrompts(string Description, int? Seed, IReadOnlyList<ResolvedPrompt> Items, bool Repeated)
{
    public bool HasCorrupted => Items.All(i => i.Corrupted is not null);
}
