using System.CommandLine;
using OnnxInterp.Cli.Common;
using OnnxInterp.Graph;
using OnnxInterp.Hooks;
using OnnxInterp.Rewrites;
using OnnxInterp.Runtime;

namespace OnnxInterp.Cli.Commands.Inspect;

/// <summary>Reads the model, measures its tensors' real types by running it (unless --no-probe), and prints the report.</summary>
public sealed class InspectCommand
{
    readonly CliConsole console;
    readonly string modelPath;
    readonly bool json;
    readonly Device device;
    readonly bool probe;
    readonly int list;
    readonly string? hookMap;
    readonly bool weights;

    public InspectCommand(InspectCommandDefinition definition, ParseResult parse, CliConsole console)
    {
        this.console = console;
        modelPath = parse.GetRequiredValue(definition.Model);
        json = parse.GetValue(definition.Json);
        device = parse.GetValue(definition.Device);
        probe = !parse.GetValue(definition.NoProbe);
        list = parse.GetValue(definition.List);
        hookMap = parse.GetValue(definition.HookMap);
        weights = parse.GetValue(definition.Weights);
        if (list < 0) throw new UsageException($"--list must be 0 (all) or a positive count, not {list}.");
    }

    public int Execute()
    {
        var model = OnnxModel.Load(modelPath);
        // A generation pipeline (com.microsoft BeamSearch/GreedySearch) runs only with search settings fed; what it is
        // analysed as, and measured as, is its decoder subgraph (the hook table below).
        bool pipeline = model.Graph.Nodes.Any(n => n.Domain == "com.microsoft" && n.Attribute("decoder") is not null);
        if (probe && pipeline)
            console.Notice("note: the graph is a generation pipeline; its decoder subgraph is measured (the hooks below), not the search op.");
        var measured = probe && !pipeline ? Measure(model) : null;
        var output = WithHooks(Build(model, measured), model, measured);
        if (json) JsonOutput.Write(console.Out, output);
        else InspectText.Write(console.Out, output, list);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Measured types, or null with a notice when the probe cannot feed the model (an input without a declared
    /// shape, e.g. a patch mask). A model ONNX Runtime cannot load at all is a failure, not a notice.
    /// </summary>
    IReadOnlyDictionary<string, TensorType>? Measure(OnnxModel model)
    {
        try
        {
            return TypeProbe.Measure(model, device);
        }
        catch (ExecutionException probeFailure)
        {
            using (SessionFactory.Compile(model, device, console.Notice)) { } // throws if the model itself cannot load
            if (MeasureUnfused(model) is { } unfused)
            {
                console.Notice($"note: the model does not run here ({probeFailure.Message.TrimEnd('.')}); types were measured on its unfused form, which computes the same tensors with standard ops.");
                return unfused;
            }
            console.Notice($"note: types not measured ({probeFailure.Message.TrimEnd('.')}); showing declared types only.");
            return null;
        }
    }

    /// <summary>
    /// A fused ORT op this execution provider cannot run (the CPU Attention kernel refuses 4-D masks) still has a
    /// standard-op form: measure that one. Null when there is nothing to unfuse or it does not run either.
    /// </summary>
    IReadOnlyDictionary<string, TensorType>? MeasureUnfused(OnnxModel model)
    {
        if (!model.Graph.Nodes.Any(n => n.Domain == "com.microsoft")) return null;
        try
        {
            return TypeProbe.Measure(UnfuseFusedOps.Apply(model).Model, device);
        }
        catch (Exception e) when (e is ExecutionException or GraphException)
        {
            return null;
        }
    }

    InspectOutput Build(OnnxModel model, IReadOnlyDictionary<string, TensorType>? measured)
    {
        var graph = model.Graph;
        var summary = ModelSummary.Of(model);
        InspectTensorRow Row(string name) => TensorRow(graph, measured, name);
        var exposable = graph.IntermediateTensors.Distinct().Select(Row).ToList();
        return new InspectOutput(Path.GetFullPath(modelPath), summary.IrVersion, summary.Producer, summary.ProducerVersion, summary.Opsets,
            summary.NodeCount, summary.OpHistogram, summary.InitializerCount, summary.InitializerBytes, summary.HasExternalData,
            measured is not null,
            [.. graph.Inputs.Where(i => !graph.IsInitializer(i)).Select(Row)],
            [.. graph.Outputs.Select(Row)],
            exposable.Count, exposable) { Repairs = Repairs(model) is { Count: > 0 } r ? r : null };
    }

    /// <summary>The graph's repairs, and each opset domain imported more than once (ONNX Runtime uses the last entry).</summary>
    static List<string> Repairs(OnnxModel model) =>
    [
        .. model.Graph.Repairs,
        .. model.Header.OpsetImport.GroupBy(o => o.Domain.Length == 0 ? "ai.onnx" : o.Domain).Where(g => g.Count() > 1)
            .Select(g => $"opset domain {g.Key} is imported {g.Count()} times ({string.Join(", ", g.Select(o => o.Version))}); as ONNX Runtime does, the last ({g.Last().Version}) is used"),
    ];

    /// <summary>
    /// Adds the hook table: from --hook-map, else from the recognisers. A model no recogniser understands is not an
    /// error for inspect: the table is left out and the reason is shown instead.
    /// </summary>
    InspectOutput WithHooks(InspectOutput output, OnnxModel model, IReadOnlyDictionary<string, TensorType>? measured)
    {
        HookedModel hooked;
        try { hooked = HookedModel.From(model, hookMap); }
        catch (UnrecognisedModelException e)
        {
            if (weights) throw new UsageException($"--weights needs the model's hook map: {e.Message.Split('\n')[0].Trim().TrimEnd('.')}. Give --hook-map FILE for this model.");
            return output with { HookSource = "none: " + e.Message.Split('\n')[0].Trim() };
        }
        // Unfusing and layout fixes add tensors the file lacks: measure the hooked model's own types for them.
        if (probe && hooked.Model != model)
        {
            try { measured = TypeProbe.Measure(hooked.Model, device); }
            catch (ExecutionException) { /* keep the file's measurements */ }
        }
        var rows = hooked.Map.Points.Select(p => new InspectHookRow(p.Name, p.Tensor, p.Layout.Axes,
            p.IsPending ? null : TensorTypeView.From(measured?.GetValueOrDefault(p.Tensor) ?? hooked.Model.Graph.TypeOf(p.Tensor)), p.Kind.ToString(), p.Note));
        var source = hooked.Map.Source + (hooked.Changes.Count > 0 ? $" (after: {string.Join("; ", hooked.Changes)})" : "");
        var hookedOnly = hooked.Model.Graph.IntermediateTensors.Distinct().Where(t => !model.Graph.Contains(t))
            .Select(t => TensorRow(hooked.Model.Graph, measured, t)).ToList();
        return output with
        {
            Hooks = [.. rows], HookSource = source, HookConfig = hooked.Map.Config.ToString(),
            Weights = weights ? OnnxInterp.Hooks.Weights.WeightTable.Of(hooked) : null,
            Exposable = [.. output.Exposable, .. hookedOnly], ExposableCount = output.ExposableCount + hookedOnly.Count, HookedOnlyCount = hookedOnly.Count,
        };
    }

    static InspectTensorRow TensorRow(OnnxGraph graph, IReadOnlyDictionary<string, TensorType>? measured, string name)
    {
        var declared = graph.TypeOf(name);
        var real = measured?.GetValueOrDefault(name);
        return new InspectTensorRow(name, OpOf(graph.Producer(name)), TensorTypeView.From(declared), TensorTypeView.From(real),
            real is not null && DeclaredTypeCheck.Disagrees(declared, real));
    }

    static string? OpOf(Node? node) => node is null ? null : node.Domain.Length == 0 ? node.OpType : $"{node.Domain}.{node.OpType}";
}
