using System.Buffers.Binary;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Tests.Cli;

/// <summary>Heatmaps stay legible: sized to the grid so 64 position labels each get their own room, every label drawn.</summary>
public sealed class GridHeatmapTests
{
    static (int Width, int Height) Size(byte[] png) =>
        (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));

    [Fact]
    public void Sixty_four_positions_get_a_figure_wide_enough_for_every_label()
    {
        var columns = Enumerable.Range(0, 64).Select(i => $"{i}: token{i}").ToList();
        var grid = GridResult.From("resid_pre patching", "layer", "pos", GridResult.Indices(4), columns, (r, c) => Math.Sin(r + c), "normalised logit-diff")
            with { FixedRange = GridRange.Normalised, Caption = "tiny-gpt2.onnx; prompt: \"When Mary and John went to the store\"" };
        var png = GridHeatmap.Png(grid);
        File.WriteAllBytes(Path.Combine(Path.GetTempPath(), "onnxinterp-heatmap-64.png"), png);
        var (width, height) = Size(png);
        Assert.True(width >= 64 * 18, $"64 columns in {width} px leave less than 18 px (one 12 px label) per column");
        Assert.True(height >= 300, $"height {height} px leaves no room for the rotated labels");
    }

    [Fact]
    public void A_small_grid_stays_compact()
    {
        var grid = GridResult.From("heads", "layer", "head", GridResult.Indices(2), GridResult.Indices(4), (r, c) => r * 0.1 + c, "score");
        var (width, _) = Size(GridHeatmap.Png(grid));
        Assert.InRange(width, 400, 900);
    }
}
