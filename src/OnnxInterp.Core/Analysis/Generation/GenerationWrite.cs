using OnnxInterp.Analysis.Engine;

namespace OnnxInterp.Analysis.Generation;

/// <summary>
/// A write applied at every decoding step, to the positions its scope covers (and, when its slice names the position axis
/// <c>pos</c> / <c>q_pos</c>, only those absolute sequence positions). Its value is zero, fed or added, broadcast over
/// positions (a value with its own position axis cannot follow a growing sequence).
/// </summary>
public sealed record GenerationWrite(HookWrite Write, WriteScope Scope = WriteScope.All);
