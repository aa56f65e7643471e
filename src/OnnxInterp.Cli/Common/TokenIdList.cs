using System.Globalization;

namespace OnnxInterp.Cli.Common;

/// <summary>
/// Strict parsing of a <c>--tokens</c> list: decimal ids separated by commas (spaces around them allowed). An empty item
/// ("1,,2", a trailing comma), a sign, a fraction or a number too large for an id is an error naming the item.
/// </summary>
public static class TokenIdList
{
    public static IReadOnlyList<long> Parse(string text, string option = "--tokens")
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new UsageException($"{option} is empty; give comma-separated token ids, e.g. {option} 1,2,3.");
        var items = text.Split(',');
        var ids = new List<long>(items.Length);
        for (int i = 0; i < items.Length; i++)
        {
            var item = items[i].Trim();
            if (item.Length == 0)
                throw new UsageException($"{option}: item {i + 1} of '{text}' is empty; give ids separated by single commas, e.g. {option} 1,2,3.");
            if (!item.All(char.IsAsciiDigit) || !long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id > int.MaxValue)
                throw new UsageException($"{option}: '{item}' is not a token id; give non-negative integers separated by commas, e.g. {option} 1,2,3.");
            ids.Add(id);
        }
        return ids;
    }
}
