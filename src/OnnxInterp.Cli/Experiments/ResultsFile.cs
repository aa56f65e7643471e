using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxInterp.Cli.Experiments;

/// <summary>Reads a results.json back (for <c>merge</c>): step results stay JSON; table cells become numbers and text again.</summary>
internal static class ResultsFile
{
    static readonly JsonSerializerOptions options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static ExperimentResults Read(string folder)
    {
        var path = Path.Combine(folder, "results.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder} holds no results.json; give the -o folders of `onnxinterp experiment --shard K/N` runs.", path);
        ExperimentResults results;
        try
        {
            results = JsonSerializer.Deserialize<ExperimentResults>(File.ReadAllText(path), options)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not an onnxinterp results.json ({e.Message.Split(". ")[0]}).", e);
        }
        return results with { Steps = [.. results.Steps.Select(s => s with { Tables = [.. s.Tables.Select(Cells)] })] };
    }

    public static T As<T>(object result) => ((JsonElement)result).Deserialize<T>(options)!;

    static TableResult Cells(TableResult table) =>
        table with { Rows = [.. table.Rows.Select(r => (IReadOnlyList<object?>)[.. r.Select(Clr)])] };

    static object? Clr(object? cell) => cell is JsonElement e ? e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt64(out var l) => l,
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString() is "NaN" ? double.NaN : e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    } : cell;
}
