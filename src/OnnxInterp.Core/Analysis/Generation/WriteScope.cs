namespace OnnxInterp.Analysis.Generation;

/// <summary>Which positions of a sequence a generation write covers: every one, the prompt's only, or the generated tokens' only.</summary>
public enum WriteScope { All, Prompt, NewTokens }
