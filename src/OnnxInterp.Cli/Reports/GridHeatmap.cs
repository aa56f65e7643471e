using System.Globalization;
using ScottPlot;

namespace OnnxInterp.Cli.Reports;

/// <summary>
/// Renders a <see cref="GridResult"/> as a PNG heatmap with ScottPlot: row 0 at the top (as the grid is printed), a tick per
/// label with the figure sized to the grid so labels never overlap (column labels rotated; thinned only past
/// <see cref="MaxTicks"/>), values written in the cells of a small grid (up to 24 columns), a colour bar, and the caption under the title.
/// The colour scale is the grid's fixed range when it has one (said on the colour bar), else centred on zero when the
/// values take both signs (so "no effect" is the middle colour).
/// </summary>
public static class GridHeatmap
{
    const int MaxTicks = 128;
    const int CellValuesUpTo = 12 * 24;
    const float LabelFont = 12;

    public static byte[] Png(GridResult grid, int? width = null, int? height = null)
    {
        grid.Checked();
        var plot = new Plot();
        // ScottPlot 5.1.59 draws a heatmap with a single row or column blank; every cell as a 2x2 block of
        // samples over the same rectangle looks identical and always draws.
        int scale = grid.Rows == 1 || grid.Columns == 1 ? 2 : 1;
        var data = new double[grid.Rows * scale, grid.Columns * scale];
        for (int r = 0; r < grid.Rows * scale; r++)
            for (int c = 0; c < grid.Columns * scale; c++)
                data[r, c] = grid.Values[r / scale][c / scale];

        var heatmap = plot.Add.Heatmap(data);
        heatmap.Rectangle = new CoordinateRect(-0.5, grid.Columns - 0.5, -0.5, grid.Rows - 0.5);
        var finite = grid.Values.SelectMany(v => v).Where(double.IsFinite).ToArray();
        string barLabel = grid.ValueLabel ?? "";
        string title = grid.Title;
        if (grid.FixedRange is { } range)
        {
            // A scale through zero diverges from white at zero; a non-negative one (scores, probabilities) is sequential.
            heatmap.Colormap = range.Low < 0 && range.High > 0 ? new ScottPlot.Colormaps.Balance() : new ScottPlot.Colormaps.Viridis();
            heatmap.ManualRange = new ScottPlot.Range(range.Low, range.High);
            title += $" (colour scale fixed to [{Number(range.Low)}, {Number(range.High)}])";
        }
        else if (finite.Length > 0 && finite.Min() < 0 && finite.Max() > 0)
        {
            double bound = finite.Max(Math.Abs);
            heatmap.Colormap = new ScottPlot.Colormaps.Balance();
            heatmap.ManualRange = new ScottPlot.Range(-bound, bound);
        }
        else heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = barLabel.Trim();

        // Values are written only where a cell has room for "-0.88" (a few hundred cells, at most 24 columns).
        bool values = grid.Rows * grid.Columns <= CellValuesUpTo && grid.Columns <= 24;
        if (values) WriteValues(plot, grid, heatmap);

        int longestColumn = grid.ColumnLabels.Count == 0 ? 1 : grid.ColumnLabels.Max(l => l.Length);
        bool rotate = grid.Columns > 6 || longestColumn > 6;
        plot.Axes.Bottom.TickGenerator = Ticks(grid.ColumnLabels, i => i);
        plot.Axes.Left.TickGenerator = Ticks(grid.RowLabels, i => grid.Rows - 1 - i);
        plot.Axes.Bottom.TickLabelStyle.FontSize = LabelFont;
        plot.Axes.Left.TickLabelStyle.FontSize = LabelFont;
        if (rotate)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -60;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 24 + 7 * Math.Min(longestColumn, 24);
        }
        plot.Axes.Bottom.Label.Text = grid.ColumnAxis;
        plot.Axes.Left.Label.Text = grid.RowAxis;
        plot.Title(grid.Caption is null ? title : title + "\n" + Shorten(grid.Caption, 120));
        plot.Axes.Title.Label.FontSize = 13;
        plot.Axes.SetLimits(-0.5, grid.Columns - 0.5, -0.5, grid.Rows - 0.5);

        // Cells big enough for a 12 px label each: a 64-position axis gets 64 legible ticks.
        int cellWidth = Math.Max(values ? 40 : 18, rotate ? 0 : 8 * longestColumn);
        int titleWidth = 9 * Math.Max(title.Length, grid.Caption is null ? 0 : Math.Min(grid.Caption.Length, 120)) + 40;
        int w = width ?? Math.Clamp(Math.Max(titleWidth, 220 + cellWidth * grid.Columns + 8 * grid.RowLabels.Max(l => l.Length)), 520, 4000);
        // Tall enough for the colour bar's label, which runs along it.
        int h = height ?? Math.Clamp(Math.Max(10 * barLabel.Length + 80, 160 + (rotate ? 7 * Math.Min(longestColumn, 24) : 0) + 20 * grid.Rows + (grid.Caption is null ? 0 : 20)), 340, 4000);
        return plot.GetImageBytes(w, h, ImageFormat.Png);
    }

    static void WriteValues(Plot plot, GridResult grid, ScottPlot.Plottables.Heatmap heatmap)
    {
        var values = grid.Values.SelectMany(v => v).Where(double.IsFinite).ToArray();
        if (values.Length == 0) return;
        double low = heatmap.ManualRange?.Min ?? values.Min(), high = heatmap.ManualRange?.Max ?? values.Max();
        for (int r = 0; r < grid.Rows; r++)
            for (int c = 0; c < grid.Columns; c++)
            {
                double v = grid.Values[r][c];
                if (!double.IsFinite(v)) continue;
                var text = plot.Add.Text(Number(v), c, grid.Rows - 1 - r);
                text.LabelFontSize = 10;
                text.LabelAlignment = Alignment.MiddleCenter;
                // Dark cells (either end of the scale) get white text.
                double t = high > low ? (v - low) / (high - low) : 0.5;
                bool dark = heatmap.Colormap is ScottPlot.Colormaps.Balance ? Math.Abs(t - 0.5) > 0.3 : t < 0.55;
                text.LabelFontColor = dark ? Colors.White : Colors.Black;
            }
    }

    static string Number(double v) => Math.Abs(v) < 0.005 ? "0" : Math.Abs(v) >= 100 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

    static ScottPlot.TickGenerators.NumericManual Ticks(IReadOnlyList<string> labels, Func<int, double> position)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        int step = Math.Max(1, (labels.Count + MaxTicks - 1) / MaxTicks);
        for (int i = 0; i < labels.Count; i += step)
            ticks.AddMajor(position(i), Shorten(labels[i], 24));
        return ticks;
    }

    static string Shorten(string label, int length) => label.Length <= length ? label : label[..(length - 1)] + "…";
}
