using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using OnnxInterp.Graph;

namespace OnnxInterp.Runtime;

/// <summary>Compiles a model into an ORT session on the chosen device, with ORT Extensions' custom ops registered.</summary>
public static class SessionFactory
{
    // Set after the first failed CUDA start, so Auto falls back silently (and says so once) afterwards.
    static volatile bool cudaUnavailable;

    /// <summary>
    /// Creates a session; the caller owns the result. <paramref name="log"/> receives the one-line CUDA fallback notice.
    /// <paramref name="optimise"/> false skips ONNX Runtime's graph optimisations: half the session-creation time on GPT-2
    /// small, for sessions that run once on tiny inputs (the type probe).
    /// </summary>
    public static CompiledModel Compile(OnnxModel model, Device device = Device.Auto, Action<string>? log = null, int intraOpThreads = 0, bool optimise = true)
    {
        var proto = model.ToProto();
        // Side files are checked here (inside the folder, within their bytes) so ORT never reads outside the model's folder.
        if (model.SourceFolder is not null) Onnx.ExternalData.Validate(proto, model.SourceFolder);
        var bytes = proto.ToByteArray();
        if (device == Device.Cuda || device == Device.Auto && !cudaUnavailable)
        {
            try
            {
                return Create(model, bytes, Device.Cuda, intraOpThreads, optimise);
            }
            catch (OnnxRuntimeException e) when (device == Device.Auto)
            {
                cudaUnavailable = true;
                log?.Invoke($"CUDA is not available ({OrtMessages.Reword(FirstLine(e.Message))}); running on CPU.");
            }
            catch (OnnxRuntimeException e)
            {
                throw new ExecutionException($"--device cuda was asked for but CUDA cannot be used: {OrtMessages.Reword(e.Message).TrimEnd('.')}. Install CUDA 13 and cuDNN, or use --device cpu.", e);
            }
        }
        return Create(model, bytes, Device.Cpu, intraOpThreads, optimise);
    }

    // ONNX Runtime registers the Extensions' custom-op domain in a process-wide map while a session is created; two
    // sessions created at once can both try ("the domain is already exist"), so creation is one at a time.
    static readonly Lock creating = new();

    static CompiledModel Create(OnnxModel model, byte[] bytes, Device device, int intraOpThreads, bool optimise)
    {
        lock (creating) return CreateAlone(model, bytes, device, intraOpThreads, optimise);
    }

    static CompiledModel CreateAlone(OnnxModel model, byte[] bytes, Device device, int intraOpThreads, bool optimise)
    {
        var options = new SessionOptions();
        if (!optimise) options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        try
        {
            options.RegisterOrtExtensions();
            if (intraOpThreads > 0) options.IntraOpNumThreads = intraOpThreads;
            // The model is handed over as bytes, so tell ORT where relative external-data paths start.
            if (model.SourceFolder is not null)
                options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", model.SourceFolder);
            if (device == Device.Cuda) options.AppendExecutionProvider_CUDA(0);
            try
            {
                return new CompiledModel(new InferenceSession(bytes, options), model, device);
            }
            catch (OnnxRuntimeException e) when (device == Device.Cpu)
            {
                throw new ExecutionException($"ONNX Runtime cannot load the model: {OrtMessages.Reword(e.Message)}", e);
            }
        }
        finally
        {
            options.Dispose();
        }
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
