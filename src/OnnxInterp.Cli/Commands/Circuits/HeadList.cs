using System.Text.RegularExpressions;

namespace OnnxInterp.Cli.Commands.Circuits;

/// <summary>Parses <c>--heads L1H0,L1H*</c> into (layer, head) pairs, checked against the model's size.</summary>
public static partial class HeadList
{
    public static IReadOnlyList<(int Layer, int Head)> Parse(string? text, int layers, int heads)
    {
        var all = Enumerable.Range(0, layers).SelectMany(l => Enumerable.Range(0, heads).Select(h => (l, h))).ToList();
        if (string.IsNullOrWhiteSpace(text)) return all;
        var chosen = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = Pattern().Match(part);
            if (!m.Success) throw new UsageException($"--heads: '{part}' is not a head; write L1H0 (layer 1, head 0) or L1H* (all heads of layer 1).");
            int layer = int.Parse(m.Groups[1].Value);
            if (layer >= layers) throw new UsageException($"--heads: {part} names layer {layer}, but the model has layers 0..{layers - 1}.");
            if (m.Groups[2].Value == "*") chosen.AddRange(Enumerable.Range(0, heads).Select(h => (layer, h)));
            else
            {
                int head = int.Parse(m.Groups[2].Value);
                if (head >= heads) throw new UsageException($"--heads: {part} names head {head}, but each layer has heads 0..{heads - 1}.");
                chosen.Add((layer, head));
            }
        }
        return [.. chosen.Distinct()];
    }

    [GeneratedRegex(@"^[Ll](\d+)[Hh](\d+|\*)$")]
    private static partial Regex Pattern();
}
