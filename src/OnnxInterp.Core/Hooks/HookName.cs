using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OnnxInterp.Hooks;

/// <summary>
/// A hook's name in its one canonical printed form: TransformerLens's (<c>blocks.3.attn.hook_q</c>, <c>hook_embed</c>,
/// <c>logits</c>) or a hook map's own name. Parsed strictly: dot-separated identifiers (letters, digits, <c>_</c>,
/// not starting with a digit) or block indices written without leading zeros, so one hook has exactly one spelling
/// and equality is string equality. Globs (<c>blocks.*.attn.hook_q</c>) are patterns, not names: they stay strings.
/// </summary>
public readonly partial record struct HookName : IComparable<HookName>
{
    readonly string? value;

    HookName(string value) => this.value = value;

    /// <summary>The canonical form; <c>""</c> for <c>default(HookName)</c>.</summary>
    public string Value => value ?? "";

    /// <summary>The block index of a <c>blocks.{l}.…</c> name, null for model-level hooks.</summary>
    public int? Layer => HookNames.LayerOf(Value);

    /// <summary>The name family with <c>{l}</c> for the block (<c>blocks.{l}.attn.hook_q</c>).</summary>
    public string Template => HookNames.TemplateOf(Value);

    /// <summary>The documented layout when this is a TransformerLens name, else null (a hook map gives its own).</summary>
    public HookLayout? StandardLayout => HookNames.StandardLayout(Value);

    public static HookName Parse(string text) =>
        TryParse(text, out var name) ? name : throw new FormatException(
            $"'{text}' is not a hook name: use dot-separated identifiers and block numbers without leading zeros, e.g. blocks.3.attn.hook_q.");

    public static bool TryParse([NotNullWhen(true)] string? text, out HookName name)
    {
        name = text is not null && Syntax().IsMatch(text) ? new HookName(text) : default;
        return text is not null && name.value is not null;
    }

    /// <summary>A standard family at a block: <c>At("blocks.{l}.attn.hook_q", 3)</c> is <c>blocks.3.attn.hook_q</c>.</summary>
    public static HookName At(string template, int layer) => Parse(HookNames.Format(template, layer));

    /// <summary>Forward order: by block, then by family order (unknown families last in their block).</summary>
    public int CompareTo(HookName other) => HookNames.OrderKey(Value).CompareTo(HookNames.OrderKey(other.Value));

    public override string ToString() => Value;

    public static implicit operator string(HookName name) => name.Value;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.(0|[1-9][0-9]*|[A-Za-z_][A-Za-z0-9_]*))*$")]
    private static partial Regex Syntax();
}
