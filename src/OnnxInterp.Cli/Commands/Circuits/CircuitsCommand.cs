using System.CommandLine;
using System.Globalization;
using OnnxInterp.Analysis;
using OnnxInterp.Analysis.Circuits;
using OnnxInterp.Cli.Commands.Lens;
using OnnxInterp.Cli.Common;
using OnnxInterp.Cli.Reports;

namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>Reads the weights (no session is needed), runs the analyses asked for, and reports them as text, JSON, CSV and PNG.</summary>
public sealed class CircuitsCommand
{
    const int MaxDiagonalRows = 4096;
    readonly CliConsole console;
    readonly CircuitsCommandDefinition d;
    readonly ParseResult parse;
    readonly string modelPath;
    readonly string? output;
    readonly bool qk, positional, ov, composition, copying, json;
    readonly int rows, top, samples;

    public CircuitsCommand(CircuitsCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        d = definition;
        this.parse = parse;
        modelPath = parse.GetRequiredValue(d.Model);
        output = parse.GetValue(d.Output);
        (qk, positional, ov, composition, copying, json) = (parse.GetValue(d.Qk), parse.GetValue(d.Positional), parse.GetValue(d.Ov),
            parse.GetValue(d.Composition), parse.GetValue(d.Copying), parse.GetValue(d.Json));
        (rows, top, samples) = (parse.GetValue(d.Rows), parse.GetValue(d.Top), parse.GetValue(d.Samples));
        if (!qk && !ov && !composition && !copying)
            throw new UsageException("say which circuits to compute: --qk, --ov, --composition and/or --copying.");
        if (positional && !qk) throw new UsageException("--positional adds the positional QK circuit to --qk; give --qk as well.");
        if (rows < 1 || top < 1 || samples < 2) throw new UsageException($"--rows and --top must be at least 1 and --samples at least 2 (got {rows}, {top}, {samples}).");
    }

    public int Execute()
    {
        var folder = output is null ? null : ReportFiles.PrepareFolder(output);
        var model = AnalysisInputs.Load(modelPath, parse.GetValue(d.HookMap));
        var c = model.Map.Config;
        if (c.NLayers == 0 || c.NHeads == 0) throw new UsageException("the hook map records no attention heads (n_layers or n_heads is 0).");
        var weights = new CircuitWeights(model, parse.GetValue(d.FoldLn));
        var heads = HeadList.Parse(parse.GetValue(d.Heads), c.NLayers, c.NHeads);
        var tokens = TokenRows(c.DVocab);
        string Text(int id) => c.DVocab == Gpt2Tokens.VocabularySize ? $"{Gpt2Tokens.Decode(id) ?? "?"}" : id.ToString(CultureInfo.InvariantCulture);

        if (qk || ov || copying) Require(weights, "W_E", qk ? "--qk" : ov ? "--ov" : "--copying");
        if (ov || copying) Require(weights, "W_U", ov ? "--ov" : "--copying");
        if (positional) Require(weights, "W_pos", "--positional");

        var report = new CircuitsOutput(Path.GetFullPath(modelPath), [],
            qk ? [.. heads.Select(h => HeadRow(h, TokenCircuits.QK(weights, h.Layer, h.Head), tokens, Text))] : null,
            positional ? [.. heads.Select(h => HeadRow(h, TokenCircuits.PositionalQK(weights, h.Layer, h.Head),
                [.. Enumerable.Range(0, Math.Min(rows, weights.WPos.RowCount))], p => $"pos {p}", causal: c.Causal))] : null,
            ov ? [.. heads.Select(h => HeadRow(h, TokenCircuits.OV(weights, h.Layer, h.Head), tokens, Text, selfShare: true))] : null,
            composition ? Compositions(weights) : null,
            copying ? [.. heads.Select(h => CopyingScore.Of(h.Layer, h.Head, TokenCircuits.OV(weights, h.Layer, h.Head)))
                .Select(s => new CopyingRow($"L{s.Layer}H{s.Head}", s.Layer, s.Head, s.Score, s.Ratio))] : null,
            null);
        report = report with { FoldedLayerNorm = weights.Folded.Distinct().ToList() };
        if (folder is not null) report = report with { Files = CircuitsReportFiles.Write(folder, report, c.NLayers, c.NHeads) };
        if (json) JsonOutput.Write(console.Out, report);
        else CircuitsText.Write(console.Out, report, parse.GetValue(d.FoldLn));
        return ExitCodes.Success;
    }

    static void Require(CircuitWeights w, string name, string option)
    {
        if (!w.Has(name)) throw new UsageException($"{option} needs {name}, which the hook map does not record for this model.");
    }

    List<int> TokenRows(int vocab)
    {
        var text = parse.GetValue(d.Tokens);
        if (string.IsNullOrWhiteSpace(text)) return [.. Enumerable.Range(0, Math.Min(rows, Math.Max(vocab, 1)))];
        var ids = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 0 || id >= vocab)
                throw new UsageException($"--tokens: '{part}' is not a token id in 0..{vocab - 1}.");
            ids.Add(id);
        }
        return ids;
    }

    /// <param name="selfShare">Report how often a row's top entry is its own column (an OV circuit mapping a token to itself).</param>
    HeadCircuitRow HeadRow((int Layer, int Head) h, FactoredMatrix circuit, IReadOnlyList<int> rowIds, Func<int, string> text, bool causal = false, bool selfShare = false)
    {
        var entries = TopEntries.PerRow(circuit, rowIds, top, causal);
        var topRows = entries.Select(list => new TopEntryRow(list[0].Row, text(list[0].Row), [.. list.Select(e => e.Column)],
            [.. list.Select(e => text(e.Column))], [.. list.Select(e => e.Value)])).ToList();
        double? diagonal = selfShare && circuit.Rows <= MaxDiagonalRows && circuit.Rows == circuit.Columns ? TopEntries.DiagonalTopShare(circuit) : null;
        return new HeadCircuitRow($"L{h.Layer}H{h.Head}", h.Layer, h.Head, circuit.FrobeniusNorm(), [.. circuit.SingularValues().Take(5)], diagonal, topRows);
    }

    IReadOnlyList<CompositionKindRow> Compositions(CircuitWeights w)
    {
        var c = w.Config;
        if (c.NLayers < 2) throw new UsageException($"--composition compares heads in different layers; this model has {c.NLayers} layer.");
        return [.. Enum.GetValues<CompositionKind>().Select(kind =>
        {
            var baseline = CompositionBaseline.Of(kind, c.DModel, c.DHead, samples);
            var pairs = CompositionScores.All(w, kind).Select(s => new CompositionPairRow(s.From, s.To, s.Score, s.Score / baseline.Mean)).ToList();
            return new CompositionKindRow(kind.ToString(), baseline.Mean, baseline.StandardDeviation, baseline.Samples, pairs);
        })];
    }
}
