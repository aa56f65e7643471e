namespace OnnxInterp.Analysis.Circuits;

/// <summary>The largest entries of chosen rows of a factored circuit, computed one row at a time (never the whole matrix).</summary>
public static class TopEntries
{
    /// <summary>
    /// For each row, its <paramref name="k"/> largest entries, largest first. With <paramref name="causal"/> row i looks
    /// only at columns 0..i (a query position sees no later key position).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<CircuitEntry>> PerRow(FactoredMatrix m, IEnumerable<int> rows, int k, bool causal = false)
    {
        var result = new List<IReadOnlyList<CircuitEntry>>();
        foreach (var r in rows)
        {
            if (r < 0 || r >= m.Rows) throw new ArgumentOutOfRangeException(nameof(rows), r, $"row {r} is outside 0..{m.Rows - 1}.");
            var values = m.Row(r);
            result.Add([.. Enumerable.Range(0, causal ? Math.Min(r + 1, values.Length) : values.Length).OrderByDescending(c => values[c]).ThenBy(c => c).Take(k)
                .Select(c => new CircuitEntry(r, c, values[c]))]);
        }
        return result;
    }

    /// <summary>Share of rows whose largest entry is on the diagonal (row i's top column is i): how often a circuit maps a token to itself.</summary>
    public static double DiagonalTopShare(FactoredMatrix m)
    {
        int n = Math.Min(m.Rows, m.Columns), hits = 0;
        for (int r = 0; r < n; r++)
        {
            var values = m.Row(r);
            int best = 0;
            for (int c = 1; c < values.Length; c++) if (values[c] > values[best]) best = c;
            if (best == r) hits++;
        }
        return n == 0 ? 0 : (double)hits / n;
    }
}
