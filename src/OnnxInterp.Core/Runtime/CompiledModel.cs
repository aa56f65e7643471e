using Microsoft.ML.OnnxRuntime;
using OnnxInterp.Graph;

namespace OnnxInterp.Runtime;

/// <summary>
/// One ONNX Runtime session over one (rewritten) model. Owns the session: dispose it, or let the
/// <see cref="SessionCache"/> that created it do so. Runs copy their outputs into managed
/// <see cref="NamedTensor"/>s, so results outlive the native values.
/// </summary>
public sealed class CompiledModel : IDisposable
{
    readonly InferenceSession session;

    internal CompiledModel(InferenceSession session, OnnxModel model, Device device)
    {
        this.session = session;
        Model = model;
        Device = device;
    }

    public OnnxModel Model { get; }
    /// <summary>The device the session actually runs on (CPU after a fallback).</summary>
    public Device Device { get; }
    public IReadOnlyList<string> InputNames => session.InputNames;
    public IReadOnlyList<string> OutputNames => session.OutputNames;

    /// <summary>Runs with <paramref name="feeds"/> and returns the requested outputs (all graph outputs when null).</summary>
    public IReadOnlyDictionary<string, NamedTensor> Run(IEnumerable<NamedTensor> feeds, IEnumerable<string>? outputs = null)
    {
        var feedList = feeds.ToList();
        Validate(feedList);
        var outputNames = (outputs ?? session.OutputNames).ToList();
        foreach (var o in outputNames.Where(o => !session.OutputNames.Contains(o)))
            throw new ExecutionException($"the model has no output '{o}'. Outputs: {string.Join(", ", session.OutputNames.Take(20))}{(session.OutputNames.Count > 20 ? ", ..." : "")}.");
        var values = new List<OrtValue>(feedList.Count);
        try
        {
            foreach (var f in feedList) values.Add(OrtConversion.ToOrtValue(f));
            using var options = new RunOptions();
            using var results = UsesIoBinding
                ? RunBound(options, feedList, values, outputNames)
                : session.Run(options, feedList.Select(f => f.Name).ToList(), values, outputNames);
            var map = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
            for (int i = 0; i < outputNames.Count; i++)
                map[outputNames[i]] = OrtConversion.FromOrtValue(outputNames[i], results[i]);
            return map;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ExecutionException($"ONNX Runtime could not run the model: {OrtMessages.Reword(e.Message.Trim())}", e);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>
    /// On CUDA, runs through an IOBinding with every output bound to CPU memory, so ORT copies each result off the
    /// device once, straight into the buffer this method reads, instead of allocating it on the device first.
    /// </summary>
    internal bool UsesIoBinding => Device == Device.Cuda || ForceIoBinding;

    /// <summary>Lets tests exercise the IOBinding path on the CPU provider.</summary>
    internal bool ForceIoBinding { get; set; }

    IDisposableReadOnlyCollection<OrtValue> RunBound(RunOptions options, List<NamedTensor> feeds, List<OrtValue> values, List<string> outputNames)
    {
        using var binding = session.CreateIoBinding();
        for (int i = 0; i < feeds.Count; i++) binding.BindInput(feeds[i].Name, values[i]);
        foreach (var name in outputNames) binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
        binding.SynchronizeBoundInputs();
        session.RunWithBinding(options, binding);
        binding.SynchronizeBoundOutputs();
        return binding.GetOutputValues(); // in binding order, which is outputNames' order
    }

    /// <summary>Checks names, element types and fixed dimensions before ORT sees the feed, so errors name both numbers.</summary>
    void Validate(List<NamedTensor> feeds)
    {
        var meta = session.InputMetadata;
        foreach (var f in feeds)
        {
            if (!meta.TryGetValue(f.Name, out var m))
                throw new ExecutionException($"the model has no input '{f.Name}'. Inputs: {string.Join(", ", meta.Keys)}.");
            var declared = Model.Graph.TypeOf(f.Name);
            if (declared is not null && declared.ElementType != ElementType.Undefined && declared.ElementType != f.ElementType)
                throw new ExecutionException($"input '{f.Name}' must be {declared.ElementType.ToString().ToLowerInvariant()} but {f.ElementType.ToString().ToLowerInvariant()} was given.");
            if (declared?.Shape is { } shape)
            {
                if (shape.Count != f.Shape.Length)
                    throw new ExecutionException($"input '{f.Name}' must have rank {shape.Count} ({declared}) but the feed has rank {f.Shape.Length} [{string.Join(", ", f.Shape)}].");
                for (int i = 0; i < shape.Count; i++)
                    if (shape[i].Value is { } v && v != f.Shape[i])
                        throw new ExecutionException($"input '{f.Name}' axis {i} must be {v} but the feed has {f.Shape[i]}.");
            }
        }
        foreach (var missing in meta.Keys.Where(k => feeds.All(f => f.Name != k) && !Model.Graph.IsInitializer(k)))
            throw new ExecutionException($"input '{missing}' was not fed. The model needs: {string.Join(", ", meta.Keys.Where(k => !Model.Graph.IsInitializer(k)))}.");
    }

    public void Dispose() => session.Dispose();
}
