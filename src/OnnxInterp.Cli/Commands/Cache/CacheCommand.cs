using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Cache;

/// <summary>Resolves the patterns, exposes those tensors, runs once, and saves them with where they came from.</summary>
public sealed class CacheCommand
{
    readonly CliConsole console;
    readonly string modelPath;
    readonly FeedRequest request;
    readonly IReadOnlyList<string> patterns;
    readonly string output;
    readonly Device device;
    readonly bool json;
    readonly string? hookMap;

    public CacheCommand(CacheCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        modelPath = parse.GetRequiredValue(definition.Model);
        request = definition.Feeds.Read(parse);
        patterns = parse.GetRequiredValue(definition.Expose);
        output = parse.GetRequiredValue(definition.Output);
        device = parse.GetValue(definition.Device);
        json = parse.GetValue(definition.Json);
        hookMap = parse.GetValue(definition.HookMap);
        if (request.IsEmpty) throw new UsageException("nothing to feed: give --prompt TEXT or --tokens IDS (token models), or --input NAME=FILE for each input.");
    }

    public int Execute()
    {
        var original = OnnxModel.Load(modelPath);
        OutputPaths.Check(output, ProtectedFiles.For(modelPath, original).WithFeeds(request).With("the hook-map file", hookMap));
        var selection = HookSelection.Resolve(original, patterns, hookMap);
        var exposed = Expose.Apply(selection.Model, selection.Tensors);
        using var compiled = SessionFactory.Compile(exposed.Model, device, console.Notice);
        var feeds = ModelFeeds.Prepare(request, compiled, selection.Config is { NCtx: > 0 } c ? c.NCtx : null);
        var results = compiled.Run(feeds.Feeds, exposed.ExposedOutputs);
        // Saved under hook names where the pattern named hooks, so Python sees blocks.0.attn.hook_pattern; a tensor with
        // two selected names (resid_post of layer l is resid_pre of layer l + 1) is saved under both.
        var cache = new ActivationCache(exposed.ExposedOutputs.SelectMany(name => selection.DisplayNames(name).Select(h => results[name].Renamed(h))));
        var metadata = ModelFeeds.Metadata(modelPath, request, feeds.TokenIds);
        metadata["patterns"] = string.Join(" ", patterns);
        cache.Save(output, metadata);

        var report = new CacheOutput(Path.GetFullPath(modelPath), Path.GetFullPath(output), compiled.Device.ToString().ToLowerInvariant(),
            request.Prompt, feeds.TokenIds, patterns, [.. exposed.ExposedOutputs.SelectMany(n => selection.DisplayNames(n).Select(h => new CachedTensorRow(h, TensorTypeView.Of(results[n]))))]);
        if (json) JsonOutput.Write(console.Out, report);
        else
        {
            console.Out.WriteLine($"saved {report.Tensors.Count} tensor{(report.Tensors.Count == 1 ? "" : "s")} to {report.SavedTo}");
            foreach (var t in report.Tensors) console.Out.WriteLine($"  {t.Name}  {t.Type}");
        }
        return ExitCodes.Success;
    }
}
