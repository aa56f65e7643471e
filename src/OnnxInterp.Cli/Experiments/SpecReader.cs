using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace OnnxInterp.Cli.Experiments;

/// <summary>
/// Reads a spec file strictly: JSON with comments and trailing commas allowed, but an unknown field, a wrong type or an
/// unknown step is an error naming its path in the file (<c>steps[1].metric</c>), so a typo never silently does nothing.
/// </summary>
public static partial class SpecReader
{
    static readonly JsonSerializerOptions options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowOutOfOrderMetadataProperties = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        RespectNullableAnnotations = true,
    };

    static readonly JsonDocumentOptions documentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The spec and the file's JSON as written (recorded in results.json).</summary>
    public static (ExperimentSpec Spec, JsonElement Json) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"spec file not found: {path}.", path);
        var text = File.ReadAllText(path);
        JsonDocument document;
        try { document = JsonDocument.Parse(text, documentOptions); }
        catch (JsonException e) { throw new UsageException($"{path} is not valid JSON (line {e.LineNumber + 1}): {FirstSentence(e.Message)}"); }
        using (document)
        {
            CheckShape(document.RootElement);
            try
            {
                var spec = document.RootElement.Deserialize<ExperimentSpec>(options) ?? throw new SpecException("$", "the spec is null.");
                return (spec, document.RootElement.Clone());
            }
            catch (JsonException e)
            {
                throw new SpecException(Field(e.Path), Explain(e.Message, Field(e.Path)));
            }
        }
    }

    /// <summary>What the serializer's messages cannot say well: the top-level shape and each step's kind.</summary>
    static void CheckShape(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new SpecException("$", "the spec must be a JSON object with \"model\" and \"steps\".");
        if (!root.TryGetProperty("model", out _)) throw new SpecException("model", "is missing; give the .onnx file (relative to the spec file's folder).");
        if (!root.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
            throw new SpecException("steps", "is missing; give a list of steps, e.g. [{\"step\": \"heads\"}].");
        if (steps.GetArrayLength() == 0) throw new SpecException("steps", "is empty; give at least one step.");
        int i = 0;
        foreach (var step in steps.EnumerateArray())
        {
            var at = $"steps[{i++}]";
            if (step.ValueKind != JsonValueKind.Object) throw new SpecException(at, "must be an object such as {\"step\": \"heads\"}.");
            if (!step.TryGetProperty("step", out var kind)) throw new SpecException(at + ".step", $"is missing; say which step this is: {string.Join(", ", StepSpec.Kinds)}.");
            if (kind.ValueKind != JsonValueKind.String || !StepSpec.Kinds.Contains(kind.GetString()))
                throw new SpecException(at + ".step", $"'{kind}' is not a step; use one of {string.Join(", ", StepSpec.Kinds)}.");
        }
    }

    /// <summary>System.Text.Json's path ($.steps[0].sweeps[1]) as the spec's field (steps[0].sweeps[1]).</summary>
    static string Field(string? path) => path is null or "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    static string Explain(string message, string field)
    {
        if (Unmapped().Match(message) is { Success: true } m)
            return field.EndsWith(m.Groups[1].Value, StringComparison.Ordinal)
                ? "is not a field of this step or object; check its spelling (fields are camelCase) against docs/experiments.md."
                : $"'{m.Groups[1].Value}' is not a field here; check its spelling (fields are camelCase) against docs/experiments.md.";
        if (Missing().Match(message) is { Success: true } r)
            return $"is missing required field(s) {r.Groups[1].Value}.";
        if (Converted().Match(message) is { Success: true } c)
            return $"has the wrong type of value: expected {Expected(c.Groups[1].Value)} (docs/experiments.md lists every field).";
        return FirstSentence(message);
    }

    static string Expected(string type) => type switch
    {
        _ when type.Contains("Int32") || type.Contains("Int64") => "a whole number",
        _ when type.Contains("Double") => "a number",
        _ when type.Contains("Boolean") => "true or false",
        _ when type.Contains("IReadOnlyList") || type.Contains("[]") => "a list [...]",
        _ when type.Contains("String") => "text in quotes",
        _ => "an object {...}",
    };

    static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..(end + 1)]).Trim();
    }

    [GeneratedRegex(@"The JSON property '([^']+)' could not be mapped")]
    private static partial Regex Unmapped();
    [GeneratedRegex(@"could not be converted to (.+?)\.(?: Path|$)")]
    private static partial Regex Converted();
    [GeneratedRegex(@"missing required properties including: (.+?)\.?$", RegexOptions.Singleline)]
    private static partial Regex Missing();
}
