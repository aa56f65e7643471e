using OnnxInterp.Hooks;

namespace OnnxInterp.Tests.Hooks;

public class HookNameTests
{
    [Theory]
    [InlineData("blocks.3.attn.hook_q", 3, "blocks.{l}.attn.hook_q")]
    [InlineData("blocks.10.hook_resid_post", 10, "blocks.{l}.hook_resid_post")]
    [InlineData("hook_embed", null, "hook_embed")]
    [InlineData("ln_final.hook_scale", null, "ln_final.hook_scale")]
    [InlineData("logits", null, "logits")]
    [InlineData("blocks.0.hook_normalized_resid_mid", 0, "blocks.{l}.hook_normalized_resid_mid")] // a hook map's own family
    public void A_canonical_name_parses_to_its_layer_and_family(string text, int? layer, string template)
    {
        var name = HookName.Parse(text);
        Assert.Equal(text, name.ToString());
        Assert.Equal(layer, name.Layer);
        Assert.Equal(template, name.Template);
    }

    [Theory]
    [InlineData("blocks.03.attn.hook_q")] // one spelling per hook: no leading zeros
    [InlineData("blocks.*.attn.hook_q")]  // a glob is a pattern, not a name
    [InlineData("blocks..hook_resid_pre")]
    [InlineData(" hook_embed")]
    [InlineData("hook_embed.")]
    [InlineData("3.hook_embed")]
    [InlineData("blocks.-1.hook_resid_pre")]
    [InlineData("")]
    public void Anything_else_is_refused(string text)
    {
        Assert.False(HookName.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => HookName.Parse(text));
        Assert.Contains($"'{text}' is not a hook name", e.Message);
    }

    [Fact]
    public void Names_compare_by_their_canonical_form_and_sort_in_forward_order()
    {
        Assert.Equal(HookName.Parse("blocks.2.attn.hook_z"), HookName.At("blocks.{l}.attn.hook_z", 2));
        Assert.NotEqual(HookName.Parse("blocks.2.attn.hook_z"), HookName.Parse("blocks.2.attn.hook_q"));
        string[] forward = ["hook_embed", "blocks.0.hook_resid_pre", "blocks.0.attn.hook_pattern", "blocks.0.hook_resid_post",
            "blocks.1.hook_resid_pre", "blocks.10.hook_resid_pre", "ln_final.hook_scale", "logits"];
        var shuffled = forward.Reverse().Select(HookName.Parse).ToList();
        shuffled.Sort();
        Assert.Equal(forward, shuffled.Select(n => n.Value));
        Assert.Equal(HookLayout.Pattern, HookName.Parse("blocks.0.attn.hook_pattern").StandardLayout);
        Assert.Null(HookName.Parse("blocks.0.hook_normalized_resid_mid").StandardLayout);
        Assert.Equal("", default(HookName).Value);
    }
}
