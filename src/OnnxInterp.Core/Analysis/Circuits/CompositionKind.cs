namespace OnnxInterp.Analysis.Circuits;

/// <summary>
/// Which input of a later head an earlier head's output feeds: its queries (Q), keys (K) or values (V).
/// </summary>
public enum CompositionKind { Q, K, V }
