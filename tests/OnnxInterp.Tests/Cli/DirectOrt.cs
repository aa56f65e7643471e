using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Runs a model with ONNX Runtime directly (no OnnxInterp code) so CLI results can be checked against it.
/// Exposing is done here by appending graph outputs to the protobuf, independently of the Expose rewrite.
/// </summary>
public static class DirectOrt
{
    public static Dictionary<string, float[]> Run(ModelProto model, IReadOnlyDictionary<string, (Array Data, long[] Shape)> feeds, params string[] exposed)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(WithOutputs(model, exposed).ToByteArray(), options);
        return Run(session, feeds);
    }

    static ModelProto WithOutputs(ModelProto model, string[] exposed)
    {
        var copy = model.Clone();
        foreach (var name in exposed.Where(n => copy.Graph.Output.All(o => o.Name != n)))
            copy.Graph.Output.Add(new ValueInfoProto { Name = name });
        return copy;
    }

    static Dictionary<string, float[]> Run(InferenceSession session, IReadOnlyDictionary<string, (Array Data, long[] Shape)> feeds)
    {
        var values = feeds.Select(f => f.Value.Data switch
        {
            long[] l => OrtValue.CreateTensorValueFromMemory(l, f.Value.Shape),
            int[] i => OrtValue.CreateTensorValueFromMemory(i, f.Value.Shape),
            float[] x => OrtValue.CreateTensorValueFromMemory(x, f.Value.Shape),
            bool[] b => OrtValue.CreateTensorValueFromMemory(b, f.Value.Shape),
            _ => throw new NotSupportedException(),
        }).ToList();
        try
        {
            var names = session.OutputNames.ToList();
            using var results = session.Run(new RunOptions(), feeds.Keys.ToList(), values, names);
            return names.Select((n, i) => (n, Floats(results[i]))).ToDictionary(p => p.n, p => p.Item2);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    static float[] Floats(OrtValue value) => value.GetTensorTypeAndShape().ElementDataType switch
    {
        Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
        Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64 => [.. value.GetTensorDataAsSpan<long>().ToArray().Select(v => (float)v)],
        Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32 => [.. value.GetTensorDataAsSpan<int>().ToArray().Select(v => (float)v)],
        Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool => [.. value.GetTensorDataAsSpan<bool>().ToArray().Select(v => v ? 1f : 0f)],
        var other => throw new NotSupportedException($"element type {other}"),
    };

    /// <summary>Runs a file; one with external data is run from a copy written beside a copy of its side file (ModelIO.Save).</summary>
    public static Dictionary<string, float[]> Run(string path, IReadOnlyDictionary<string, (Array Data, long[] Shape)> feeds, params string[] exposed)
    {
        var model = CliTestModels.Load(path);
        if (!OnnxInterp.Onnx.ModelIO.AllInitializers(model.Graph).Any(OnnxInterp.Onnx.ExternalData.IsExternal)) return Run(model, feeds, exposed);
        using var dir = new OnnxInterp.Tests.Support.TempDir();
        var copy = dir.File(Path.GetFileName(path));
        OnnxInterp.Onnx.ModelIO.Save(WithOutputs(model, exposed), copy, Path.GetDirectoryName(Path.GetFullPath(path)));
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(copy, options);
        return Run(session, feeds);
    }

    /// <summary>Softmax of the last <paramref name="vocabulary"/> values (the last position of a batch-1 [1, n, V] output), in double.</summary>
    public static double[] SoftmaxOfLastRow(float[] logits, int vocabulary)
    {
        var row = logits[^vocabulary..];
        double max = row.Max();
        var exp = row.Select(v => Math.Exp(v - max)).ToArray();
        double sum = exp.Sum();
        return [.. exp.Select(e => e / sum)];
    }
}
