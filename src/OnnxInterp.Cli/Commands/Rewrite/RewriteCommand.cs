using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Rewrite;

/// <summary>Inserts the patch points (types measured first), then exposes the requested tensors, and saves the result atomically.</summary>
public sealed class RewriteCommand
{
    readonly CliConsole console;
    readonly string modelPath;
    readonly IReadOnlyList<string> exposePatterns;
    readonly IReadOnlyList<PatchSpec> patches;
    readonly int batchAxis;
    readonly string output;
    readonly Device device;
    readonly bool json, embedTokenizer;
    readonly string? hookMap;
    IReadOnlyList<HookSelection> groups = [];

    public RewriteCommand(RewriteCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        modelPath = parse.GetRequiredValue(definition.Model);
        exposePatterns = parse.GetValue(definition.Expose) ?? [];
        patches = [.. (parse.GetValue(definition.Patch) ?? []).Select(PatchSpec.Parse)];
        batchAxis = parse.GetValue(definition.BatchAxis);
        output = parse.GetRequiredValue(definition.Output);
        device = parse.GetValue(definition.Device);
        json = parse.GetValue(definition.Json);
        hookMap = parse.GetValue(definition.HookMap);
        embedTokenizer = parse.GetValue(definition.EmbedTokenizer);
        if (exposePatterns.Count == 0 && patches.Count == 0 && !embedTokenizer)
            throw new UsageException("nothing to rewrite: give --expose PATTERN, --patch PATTERN[:zero|fed|rows] and/or --embed-tokenizer.");
        if (batchAxis < 0) throw new UsageException($"--batch-axis must be 0 or more, not {batchAxis}.");
    }

    public int Execute()
    {
        var original = OnnxModel.Load(modelPath);
        OutputPaths.Check(output, ProtectedFiles.For(modelPath, original).With("the hook-map file", hookMap));
        // Hook names resolve against one prepared model; other patterns are tensor names, and expose patterns are
        // resolved only after patching so that `patched:*` can name the patch points' outputs.
        groups = HookSelection.ResolveGroups(original, [.. patches.Select(p => (IReadOnlyList<string>)[p.Pattern]), exposePatterns],
            hookMap, deferTensorPatterns: true);
        try
        {
            return Write(groups[0].Model);
        }
        catch (UnmatchedPatternException e)
        {
            groups[0].ThrowIfUnknownHook(e.Pattern);
            throw;
        }
    }

    int Write(OnnxModel model)
    {
        var requests = patches
            .SelectMany((p, i) => groups[i].Tensors.Concat(groups[i].TensorPatterns.Count == 0 ? [] : ResolvePatch(model.Graph, p))
                .Select(t => new PatchRequest(t, p.Source, batchAxis)))
            .DistinctBy(r => r.Tensor).ToList();
        var exposeGroup = groups[^1];
        IReadOnlyList<PatchPoint> points = [];
        // Measured once: patch inputs are typed like the tensor they replace, and the file declares every output's type.
        var measured = Measure(model, requests.Count > 0);
        if (requests.Count > 0)
        {
            var patched = InsertPatchPoints.Apply(TypeProbe.Fill(model, measured), requests);
            model = patched.Model;
            points = patched.PatchPoints;
        }
        var exposed = Expose.Apply(model, exposeGroup.Tensors.Concat(exposeGroup.TensorPatterns.Count == 0 ? [] : TensorPattern.Resolve(model.Graph, exposeGroup.TensorPatterns)));
        var final = HookRecord.Apply(DeclareTypes.Apply(exposed.Model, measured, points), exposed.ExposedOutputs, points, HookOf);
        if (embedTokenizer) final = WithTokenizer(final);
        final.Save(output, verify: LoadsInOrt);
        exposed = exposed with { Model = final };

        var report = new RewriteOutput(Path.GetFullPath(modelPath), Path.GetFullPath(output),
            [.. exposed.ExposedOutputs.Select(n => new ExposedOutputRow(n, TensorTypeView.From(exposed.Model.Graph.TypeOf(n)), HookOf(n)))],
            [.. points.Select(p => PatchPointRow.Of(p, HookOf(p.Tensor)))]);
        if (json) JsonOutput.Write(console.Out, report);
        else WriteText(report);
        return ExitCodes.Success;
    }

    /// <summary>The GPT-2 tokenizer in front; the model's embedding must have GPT-2's 50257 rows, or its ids would not fit.</summary>
    static OnnxModel WithTokenizer(OnnxModel model)
    {
        var (vocab, merges) = Analysis.Gpt2BpeFiles.Create();
        try
        {
            return Rewrites.EmbedTokenizer.Apply(model, vocab, merges, Analysis.Lens.BosToken.Gpt2).Model;
        }
        catch (GraphException e)
        {
            throw new UsageException($"--embed-tokenizer: {e.Message} It needs a token model with an input_ids input.");
        }
    }

    /// <summary>
    /// The probe's measured types. A model the probe cannot feed (an input without a declared shape) keeps its declared
    /// types, unless patches need element types: then the probe's failure is the error.
    /// </summary>
    IReadOnlyDictionary<string, TensorType> Measure(OnnxModel model, bool required)
    {
        try
        {
            return TypeProbe.Measure(model, device);
        }
        catch (ExecutionException) when (!required)
        {
            return new Dictionary<string, TensorType>();
        }
    }

    /// <summary>A rewrite is reported as written only after ONNX Runtime loaded it; otherwise nothing is left behind.</summary>
    static void LoadsInOrt(string writtenFile)
    {
        try
        {
            using var _ = SessionFactory.Compile(OnnxModel.Load(writtenFile), Device.Cpu);
        }
        catch (ExecutionException e)
        {
            throw new ExecutionException($"the rewritten model does not load in ONNX Runtime, so it was not written: {e.Message.Replace("ONNX Runtime cannot load the model: ", "")} Please report this with the command line.", e);
        }
    }

    string? HookOf(string tensor) => groups.Select(g => g.HookNames.GetValueOrDefault(tensor)?[0]).FirstOrDefault(h => h is not null);

    /// <summary>A pattern that matches nothing may be a misspelt source (x:zeros), not a tensor name with a colon: say both.</summary>
    static IReadOnlyList<string> ResolvePatch(OnnxGraph graph, PatchSpec patch)
    {
        try
        {
            return TensorPattern.Resolve(graph, [patch.Pattern]);
        }
        catch (UnmatchedPatternException) when (patch.Pattern.LastIndexOf(':') is var colon and > 0)
        {
            throw new UsageException($"--patch '{patch.Pattern}': no tensor matches it, and '{patch.Pattern[(colon + 1)..]}' is not a patch source (zero, fed or rows). Run `onnxinterp inspect MODEL` to list the tensors.");
        }
    }

    void WriteText(RewriteOutput r)
    {
        var w = console.Out;
        w.WriteLine($"wrote {r.SavedTo}");
        if (r.ExposedOutputs.Count > 0)
        {
            w.WriteLine($"exposed outputs ({r.ExposedOutputs.Count}), named after the tensors:");
            foreach (var o in r.ExposedOutputs) w.WriteLine($"  {o.Name}{(o.Hook is null ? "" : $" ({o.Hook})")}  {o.Type?.ToString() ?? "(type not declared)"}");
        }
        if (r.PatchPoints.Count > 0)
        {
            w.WriteLine($"patch points ({r.PatchPoints.Count}): patched = Where(mask, source, original); an all-false mask reproduces the original model");
            foreach (var p in r.PatchPoints)
            {
                w.WriteLine($"  {p.Tensor}{(p.Hook is null ? "" : $" = {p.Hook}")} ({p.Source})");
                foreach (var line in p.Describe()) w.WriteLine($"    {line}");
            }
        }
    }
}
