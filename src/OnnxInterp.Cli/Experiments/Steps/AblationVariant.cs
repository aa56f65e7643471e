using OnnxInterp.Analysis.Ablation;
using OnnxInterp.Analysis.Patching;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Experiments.Steps;

/// <summary>An ablated variant with its label and, for sweeps, its cell in a grid (heads: layer x head).</summary>
internal sealed record AblationVariant(string Label, IReadOnlyList<PatchSite> Sites, string? Grid = null, int Row = 0, int Column = 0)
{
    /// <summary>One grid per sweep kind, cells in variant order; a cell no variant fills is NaN.</summary>
    public static IReadOnlyList<NamedGrid> Grids(IReadOnlyList<AblationVariant> variants, AblationResult result, string metric)
    {
        var grids = new List<NamedGrid>();
        foreach (var group in variants.Select((v, i) => (v, i)).Where(x => x.v.Grid is not null).GroupBy(x => x.v.Grid!))
        {
            int rows = group.Max(x => x.v.Row) + 1, columns = group.Max(x => x.v.Column) + 1;
            var values = Enumerable.Range(0, rows).Select(_ => Enumerable.Repeat(double.NaN, columns).ToArray()).ToArray();
            foreach (var (v, i) in group) values[v.Row][v.Column] = result.Variants[i];
            var (rowAxis, columnAxis, columnLabels) = group.Key switch
            {
                "heads" => ("layer", "head", GridResult.Indices(columns)),
                "layers" => ("layer", "sublayer", (IReadOnlyList<string>)new[] { "attn_out", "mlp_out" }[..columns]),
                _ => ("layer", "neuron", GridResult.Indices(columns)),
            };
            var rowLabels = group.Key is "heads" or "layers" ? GridResult.Indices(rows) : [group.First().v.Sites[0].Hook];
            grids.Add(new NamedGrid(group.Key, new GridResult($"{group.Key}: {metric} after {result.Method.ToString().ToLowerInvariant()} ablation (baseline {result.Baseline:G4})",
                rowAxis, columnAxis, rowLabels, columnLabels, values, metric).Checked()));
        }
        return grids;
    }
}
