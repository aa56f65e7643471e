using Microsoft.ML.OnnxRuntime;

namespace OnnxInterp.ModelForge.Measure;

/// <summary>A CPU ONNX Runtime session with a small typed Run for int64 / float inputs and float outputs.</summary>
public sealed class OnnxRunner : IDisposable
{
    readonly InferenceSession _session;

    public OnnxRunner(string modelPath, int threads = 2)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads };
        _session = new InferenceSession(modelPath, options);
    }

    public IReadOnlyList<string> InputNames => [.. _session.InputMetadata.Keys];

    /// <summary>Runs the model; inputs are (data, shape) of int64 or float32 arrays.</summary>
    public Dictionary<string, (float[] Data, long[] Shape)> Run(IReadOnlyDictionary<string, (Array Data, long[] Shape)> inputs, params string[] outputs)
    {
        var values = new List<OrtValue>();
        try
        {
            foreach (var (_, (data, shape)) in inputs)
                values.Add(data switch
                {
                    long[] longs => OrtValue.CreateTensorValueFromMemory(longs, shape),
                    float[] floats => OrtValue.CreateTensorValueFromMemory(floats, shape),
                    bool[] bools => OrtValue.CreateTensorValueFromMemory(bools, shape),
                    _ => throw new ArgumentException($"unsupported input array type {data.GetType()}"),
                });
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, [.. inputs.Keys], values, outputs);
            var result = new Dictionary<string, (float[], long[])>();
            for (int i = 0; i < outputs.Length; i++)
                result[outputs[i]] = (results[i].GetTensorDataAsSpan<float>().ToArray(), results[i].GetTensorTypeAndShape().Shape);
            return result;
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    /// <summary>Logits for token rows of equal length (GPT-2 layouts also get an all-ones mask and positions 0..n-1).</summary>
    public (float[] Data, long[] Shape) Logits(IReadOnlyList<int[]> rows)
    {
        int batch = rows.Count, length = rows[0].Length;
        var ids = rows.SelectMany(r => r.Select(t => (long)t)).ToArray();
        var inputs = new Dictionary<string, (Array, long[])> { ["input_ids"] = (ids, [batch, length]) };
        if (InputNames.Contains("attention_mask"))
        {
            inputs["attention_mask"] = (Enumerable.Repeat(1L, ids.Length).ToArray(), [batch, length]);
            inputs["position_ids"] = (Enumerable.Range(0, batch).SelectMany(_ => Enumerable.Range(0, length).Select(p => (long)p)).ToArray(), [batch, length]);
        }
        return Run(inputs, "logits")["logits"];
    }

    public void Dispose() => _session.Dispose();
}
