using System.Runtime.InteropServices;
using Google.Protobuf;
using OnnxInterp.Onnx.Proto;
using DataType = OnnxInterp.Onnx.Proto.TensorProto.Types.DataType;

namespace OnnxInterp.Fuzz;

/// <summary>The valid models the mutations start from: a one-layer token model (logits = (embed[ids] + pos[positions]) @ unembed), inline or with its weights in a side file.</summary>
public static class SeedModels
{
    public const int Vocab = 50, DModel = 4, Positions = 16;

    public static ModelProto TokenModel()
    {
        var random = new Random(3);
        float[] Weights(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var g = new GraphProto { Name = "fuzz_seed" };
        g.Input.Add(Value("input_ids", DataType.Int64, "batch", "seq"));
        g.Input.Add(Value("position_ids", DataType.Int64, "batch", "seq"));
        g.Output.Add(Value("logits", DataType.Float, "batch", "seq", Vocab));
        g.Initializer.Add(Floats("embed", [Vocab, DModel], Weights(Vocab * DModel)));
        g.Initializer.Add(Floats("pos_embed", [Positions, DModel], Weights(Positions * DModel)));
        g.Initializer.Add(Floats("unembed", [DModel, Vocab], Weights(DModel * Vocab)));
        g.Node.Add(Node("Gather", ["embed", "input_ids"], ["tok"]));
        g.Node.Add(Node("Gather", ["pos_embed", "position_ids"], ["pos"]));
        g.Node.Add(Node("Add", ["tok", "pos"], ["resid"]));
        g.Node.Add(Node("Relu", ["resid"], ["act"]));
        g.Node.Add(Node("MatMul", ["act", "unembed"], ["logits"]));
        var model = new ModelProto { IrVersion = 8, ProducerName = "fuzz", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }

    /// <summary>The token model with "unembed" moved to side file <paramref name="location"/>; returns the model and the side file's bytes.</summary>
    public static (ModelProto Model, byte[] Side) WithExternalUnembed(string location)
    {
        var model = TokenModel();
        var unembed = model.Graph.Initializer.Single(t => t.Name == "unembed");
        var bytes = unembed.RawData.ToByteArray();
        unembed.RawData = ByteString.Empty;
        unembed.DataLocation = TensorProto.Types.DataLocation.External;
        unembed.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        unembed.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        unembed.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = bytes.Length.ToString() });
        return (model, bytes);
    }

    public static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var n = new NodeProto { OpType = op, Name = op + "_" + outputs.FirstOrDefault() };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        return n;
    }

    static TensorProto Floats(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        t.Dims.AddRange(dims);
        return t;
    }

    static ValueInfoProto Value(string name, DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string p ? new TensorShapeProto.Types.Dimension { DimParam = p } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
