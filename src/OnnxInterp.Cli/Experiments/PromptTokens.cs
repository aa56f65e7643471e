namespace OnnxInterp.Cli.Experiments;

/// <summary>One prompt a step fed, as results.json records it: its role (<c>pair 0 clean</c>), ids and token texts.</summary>
public sealed record PromptTokens(string Role, IReadOnlyList<int> Ids, IReadOnlyList<string> Tokens);
