using OnnxInterp.Analysis;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Common;

/// <summary>
/// Turns a <see cref="FeedRequest"/> into feeds for one compiled model, checking them before the real run: token ids
/// against the vocabulary, and their count against <c>contextWindow</c> (the model's n_ctx, when it is known).
/// </summary>
public static class ModelFeeds
{
    public static PreparedFeeds Prepare(FeedRequest request, CompiledModel compiled, int? contextWindow)
    {
        var graph = compiled.Model.Graph;
        if (request.HasTokens && !TokenFeeds.Accepts(graph))
            throw new UsageException($"--prompt and --tokens need a model with an '{TokenFeeds.InputIds}' input; this one takes {string.Join(", ", graph.Inputs.Where(i => !graph.IsInitializer(i)))}. Feed them with --input NAME=FILE.");
        var files = request.InputFiles.Select(i => TensorFile.Load(i.File, i.Name)).ToList();
        FeedCheck.Validate(graph, files, requireAll: !request.HasTokens);
        if (!request.HasTokens)
        {
            if (files.FirstOrDefault(f => f.Name == TokenFeeds.InputIds) is { } fed) CheckFedIds(fed, NextTokenPrediction.EmbeddingRows(graph), contextWindow);
            return new PreparedFeeds(files, null, null);
        }

        var ids = request.Ids();
        if (contextWindow is int window && ids.Count > window)
            throw new UsageException($"{(request.Prompt is not null ? "the prompt has" : "--tokens has")} {ids.Count} tokens" +
                $"{(request.Prompt is not null && request.PrependBos ? " (BOS included)" : "")} but the model's context window is {window} positions; shorten it.");
        var vocabulary = NextTokenPrediction.TokenVocabulary(compiled, ids.Count, files);
        if (vocabulary is { } size) NextTokenPrediction.CheckIds(ids, size, fromPrompt: request.Prompt is not null);
        var derived = TokenFeeds.For(graph, ids, files.Select(f => f.Name));
        return new PreparedFeeds([.. derived, .. files], ids, vocabulary);
    }

    /// <summary>
    /// Ids fed from a file get the checks --tokens gets: ONNX Runtime's Gather reads a negative index from the end of the
    /// table and would run silently, so a negative id, one past the vocabulary, or more positions than the window fail here.
    /// </summary>
    static void CheckFedIds(NamedTensor ids, int? vocabulary, int? contextWindow)
    {
        long[] values = ids.Data switch { long[] l => l, int[] i => [.. i.Select(v => (long)v)], _ => [] };
        int at = Array.FindIndex(values, v => v < 0 || vocabulary is { } n && v >= n);
        if (at >= 0)
            throw new UsageException($"--input {ids.Name}: value {values[at]} at flat index {at} is not a token id of this model" +
                $"{(vocabulary is { } size ? $" (0..{size - 1})" : " (ids cannot be negative)")}.");
        if (contextWindow is int window && ids.Shape.Length > 0 && ids.Shape[^1] > window)
            throw new UsageException($"--input {ids.Name} has {ids.Shape[^1]} positions but the model's context window is {window} positions; shorten it.");
    }

    /// <summary>Positions the model has embeddings for (n_ctx), when it is recognised; null otherwise.</summary>
    public static int? ContextWindow(OnnxModel model)
    {
        try { return HookedModel.From(model).Map.Config.NCtx is > 0 and var n ? n : null; }
        catch (UnrecognisedModelException) { return null; }
    }

    /// <summary>Safetensors metadata recording what was fed, so a saved file says where it came from.</summary>
    public static Dictionary<string, string> Metadata(string model, FeedRequest request, IReadOnlyList<long>? ids)
    {
        var metadata = new Dictionary<string, string> { ["model"] = Path.GetFullPath(model), ["tool"] = "onnxinterp" };
        if (request.Prompt is not null) metadata["prompt"] = request.Prompt;
        if (ids is not null) metadata["token_ids"] = string.Join(",", ids);
        if (request.InputFiles.Count > 0)
            metadata["inputs"] = string.Join(";", request.InputFiles.Select(i => $"{i.Name}={Path.GetFullPath(i.File)}"));
        return metadata;
    }
}
