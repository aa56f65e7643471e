using Google.Protobuf;
using OnnxInterp.Onnx.Proto;
using static OnnxInterp.Tests.Support.TinyGraphs;
using DataType = OnnxInterp.Onnx.Proto.TensorProto.Types.DataType;

namespace OnnxInterp.Tests.Cli;

/// <summary>
/// Malformed or unusual models written straight from protobuf, one failure class each, for the bad-input tests: what a
/// fuzzer or a careless exporter produces, and ONNX Runtime's reaction to each was seen first.
/// </summary>
public static class CraftedModels
{
    /// <summary>y = x + w with x float [1, 3] and w an initializer [1, 3] = {0, 1, 2}, stored in side file <paramref name="location"/>.</summary>
    public static string ExternalWeights(string path, string location, long offset = 0, long length = 12)
    {
        var w = new TensorProto { Name = "w", DataType = (int)DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        w.Dims.AddRange([1, 3]);
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        w.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
        w.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString() });
        return Save(path, Graph([NodeOf("Add", "add", ["x", "w"], ["y"])], [w]));
    }

    /// <summary>The 12 bytes of {0f, 1f, 2f}: the side file <see cref="ExternalWeights"/> expects.</summary>
    public static byte[] WeightBytes => [.. new[] { 0f, 1f, 2f }.SelectMany(BitConverter.GetBytes)];

    /// <summary>x -> Relu -> "h" -> NoSuchOperator -> y: loads in OnnxInterp, not in ONNX Runtime.</summary>
    public static string UnknownOpAfterRelu(string path) =>
        Save(path, Graph([NodeOf("Relu", "relu", ["x"], ["h"]), NodeOf("NoSuchOperator", "mystery", ["h"], ["y"])]));

    /// <summary>x float [n] reshaped to [2, 2] by a node named 'to_square': fails at run time unless n is 4.</summary>
    public static string ReshapeToSquare(string path)
    {
        var shape = Support.TinyGraphs.ValueInfo("x", DataType.Float, "n");
        var g = Graph([NodeOf("Reshape", "to_square", ["x", "square"], ["y"])], [Onnx.TensorProtos.Int64("square", [2], [2, 2])],
            input: shape, output: Support.TinyGraphs.ValueInfo("y", DataType.Float, 2, 2));
        return Save(path, g);
    }

    /// <summary>Relu whose graph input declares a dimension of -3.</summary>
    public static string NegativeDimension(string path) =>
        Save(path, Graph([NodeOf("Relu", "relu", ["x"], ["y"])], input: Support.TinyGraphs.ValueInfo("x", DataType.Float, -3, 3)));

    /// <summary>Relu with the default opset imported twice: 17, then 13.</summary>
    public static string DefaultOpsetTwice(string path) => Save(path, Graph([NodeOf("Relu", "relu", ["x"], ["y"])]), 17, 13);

    /// <summary>An Add with no outputs at all beside the Relu (Add: what the recogniser's diagnosis inspects).</summary>
    public static string NodeWithoutOutputs(string path) =>
        Save(path, Graph([NodeOf("Relu", "relu", ["x"], ["y"]), NodeOf("Add", "dangling", ["x", "x"], [])]));

    /// <summary>A Constant [4] floats whose raw data holds only 6 bytes, added to x.</summary>
    public static string TruncatedConstant(string path)
    {
        var value = new TensorProto { Name = "c", DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(new byte[6]) };
        value.Dims.Add(4);
        var constant = NodeOf("Constant", "", [], ["c"]);
        constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });
        return Save(path, Graph([constant, NodeOf("Add", "add", ["x", "c"], ["y"])]));
    }

    /// <summary>y = x + k where two unnamed Constant nodes both produce 'k' (first all 1, then all 2), as real exports do.</summary>
    public static string DuplicateConstantNames(string path)
    {
        NodeProto Constant(float value)
        {
            var tensor = new TensorProto { DataType = (int)DataType.Float, RawData = ByteString.CopyFrom([.. Enumerable.Repeat(value, 3).SelectMany(BitConverter.GetBytes)]) };
            tensor.Dims.Add(3);
            var node = NodeOf("Constant", "", [], ["k"]);
            node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor });
            return node;
        }
        return Save(path, Graph([Constant(1f), Constant(2f), NodeOf("Add", "add", ["x", "k"], ["y"])]));
    }

    /// <summary>y = Relu(x) + x with the Add listed before the Relu that feeds it.</summary>
    public static string Unsorted(string path) =>
        Save(path, Graph([NodeOf("Add", "add", ["h", "x"], ["y"]), NodeOf("Relu", "relu", ["x"], ["h"])]));

    static GraphProto Graph(IEnumerable<NodeProto> nodes, IEnumerable<TensorProto>? initializers = null, ValueInfoProto? input = null, ValueInfoProto? output = null)
    {
        var g = new GraphProto { Name = "crafted" };
        g.Input.Add(input ?? Support.TinyGraphs.ValueInfo("x", DataType.Float, 1, 3));
        g.Output.Add(output ?? Support.TinyGraphs.ValueInfo("y", DataType.Float, 1, 3));
        g.Node.AddRange(nodes);
        g.Initializer.AddRange(initializers ?? []);
        return g;
    }

    static string Save(string path, GraphProto graph, params long[] opsets)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "crafted", Graph = graph };
        foreach (var v in opsets.Length == 0 ? [17L] : opsets) model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = v });
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
