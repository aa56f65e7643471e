using System.Text;
using Google.Protobuf;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Fuzz;

/// <summary>
/// Generates fuzz cases from a seed: damaged model bytes, protobuf mutations (dims, outputs, opsets, node names, op
/// types, constants), external-data records (locations outside the folder, short files, bad offsets, stale side files
/// in the output folder), and command lines (token lists, feed files, output paths naming inputs). Same seed, same cases.
/// </summary>
public sealed class CaseGenerator(int seed)
{
    readonly Random random = new(seed);
    static readonly byte[] Feed = Encoding.UTF8.GetBytes("""{"shape":[1,3],"dtype":"int64","data":[1,2,3]}""");

    public FuzzCase Next() => random.Next(5) switch
    {
        0 => ByteMutation(),
        1 => ProtoMutation(),
        2 => ExternalDataMutation(),
        3 => ArgumentMutation(),
        _ => OutputPathMutation(),
    };

    FuzzCase ByteMutation()
    {
        var bytes = SeedModels.TokenModel().ToByteArray();
        string kind;
        switch (random.Next(4))
        {
            case 0:
                kind = "bytes: truncated";
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case 1:
                kind = "bytes: flipped";
                for (int i = 0, n = 1 + random.Next(8); i < n; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 2:
                kind = "bytes: random";
                bytes = new byte[random.Next(1, 4096)];
                random.NextBytes(bytes);
                break;
            default:
                kind = "bytes: junk appended";
                var junk = new byte[random.Next(1, 64)];
                random.NextBytes(junk);
                bytes = [.. bytes, .. junk];
                break;
        }
        return WithModel(kind, bytes);
    }

    FuzzCase ProtoMutation()
    {
        var model = SeedModels.TokenModel();
        var g = model.Graph;
        var node = g.Node[random.Next(g.Node.Count)];
        string kind;
        switch (random.Next(10))
        {
            case 0:
                kind = "proto: input dim";
                g.Input[random.Next(g.Input.Count)].Type.TensorType.Shape.Dim[random.Next(2)] = new TensorShapeProto.Types.Dimension { DimValue = Pick(-3L, 0L, 1L << 40, long.MaxValue, -1L) };
                break;
            case 1:
                kind = "proto: node without outputs";
                node.Output.Clear();
                break;
            case 2:
                kind = "proto: opset listed twice";
                model.OpsetImport.Add(new OperatorSetIdProto { Domain = Pick("", "ai.onnx"), Version = Pick(7L, 13L, 17L, 99L) });
                break;
            case 3:
                kind = "proto: duplicate output name";
                node.Output[0] = g.Node[random.Next(g.Node.Count)].Output[0];
                break;
            case 4:
                kind = "proto: unknown op";
                node.OpType = Pick("NoSuchOp", "", "If", "Loop", "Attention", "LayerNormalization");
                break;
            case 5:
                kind = "proto: initializer removed";
                g.Initializer.RemoveAt(random.Next(g.Initializer.Count));
                break;
            case 6:
                kind = "proto: truncated Constant";
                var value = new TensorProto { DataType = 1, RawData = ByteString.CopyFrom(new byte[random.Next(0, 12)]) };
                value.Dims.Add(random.Next(-2, 8));
                var constant = SeedModels.Node("Constant", [], ["c"]);
                constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = value });
                g.Node.Insert(0, constant);
                node.Input.Add("c");
                break;
            case 7:
                kind = "proto: graph outputs cleared";
                g.Output.Clear();
                break;
            case 8:
                kind = "proto: nodes reversed";
                var reversed = g.Node.Reverse().ToList();
                g.Node.Clear();
                g.Node.AddRange(reversed);
                break;
            default:
                kind = "proto: ir/opset zeroed";
                model.IrVersion = Pick(0L, 3L, 99L);
                model.OpsetImport[0].Version = Pick(0L, 1L, 1000L);
                break;
        }
        return WithModel(kind, model.ToByteArray());
    }

    FuzzCase ExternalDataMutation()
    {
        var location = Pick("w.bin", "/etc/hostname", "../../../etc/hostname", "sub/../w.bin", "", "missing.bin", "link.bin");
        var (model, side) = SeedModels.WithExternalUnembed(location);
        var tensor = model.Graph.Initializer.Single(t => t.Name == "unembed");
        var files = new Dictionary<string, byte[]>();
        string kind = $"external: location '{location}'";
        switch (random.Next(4))
        {
            case 0:
                kind += ", short side file";
                side = side[..random.Next(side.Length)];
                break;
            case 1:
                kind += ", offset";
                tensor.ExternalData.Single(e => e.Key == "offset").Value = Pick("-1", "100000", "abc", "4", "");
                break;
            case 2:
                kind += ", length";
                tensor.ExternalData.Single(e => e.Key == "length").Value = Pick("-1", "0", "99999999999", "x");
                break;
        }
        if (location is "w.bin" or "sub/../w.bin") files["w.bin"] = side;
        if (location == "link.bin") files["@link.bin"] = Encoding.UTF8.GetBytes("/etc/hostname"); // a symbolic link leaving the folder
        files["model.onnx"] = model.ToByteArray();
        string[] args = random.Next(3) switch
        {
            0 => ["inspect", "{dir}/model.onnx", "--device", "cpu"],
            1 => ["run", "{dir}/model.onnx", "--tokens", "1,2", "--device", "cpu"],
            _ => ["rewrite", "{dir}/model.onnx", "--expose", "resid", "-o", "{dir}/out/r.onnx", "--device", "cpu"],
        };
        if (args[0] == "rewrite" && random.Next(2) == 0)
        {
            files["out/w.bin"] = [1, 2, 3]; // a stale side file of another model, already in the output folder
            kind += ", stale side file in the output folder";
        }
        files["out/.keep"] = [];
        return new FuzzCase(kind, files, args);
    }

    FuzzCase ArgumentMutation()
    {
        var tokens = Pick("1,2,3", "", ",", "1,,2", "-1", "+1", "0x10", "1 2", "99999999999", "49", "50", "1,2,", " ", "１", "1e3");
        string[] args = random.Next(5) switch
        {
            0 => ["run", "{dir}/model.onnx", "--tokens", tokens, "--device", "cpu"],
            1 => ["cache", "{dir}/model.onnx", "--tokens", tokens, "--expose", Pick("resid", "*", "nothing*", "input_ids", ""), "-o", "{dir}/out/a.safetensors", "--device", "cpu"],
            2 => ["run", "{dir}/model.onnx", "--input", Pick("input_ids={dir}/ids.json", "input_ids=", "=x", "input_ids", "nope={dir}/ids.json"), "--input", "position_ids={dir}/ids.json", "--device", "cpu"],
            3 => ["run", "{dir}/model.onnx", "--tokens", "1", "--top-k", Pick("0", "-5", "abc", "999999"), "--device", Pick("cpu", "gpu", "", "CPU")],
            _ => [Pick("inspect", "run", "rewrite", "cache", "heads", "lens", "patch", "frobnicate"), "{dir}/model.onnx", Pick("--bogus", "--list", "-o", "--hook-map", "--json")],
        };
        var files = new Dictionary<string, byte[]> { ["model.onnx"] = SeedModels.TokenModel().ToByteArray(), ["ids.json"] = Pick(Feed, """{"shape":[1,2],"dtype":"int64","data":[-5,2]}"""u8.ToArray(), "[1,2]"u8.ToArray(), """{"shape":[1,3"""u8.ToArray()), ["out/.keep"] = [] };
        return new FuzzCase("arguments", files, args);
    }

    FuzzCase OutputPathMutation()
    {
        var output = Pick("{dir}/model.onnx", "{dir}/ids.json", "{dir}/w.bin", "{dir}/map.json", "", "{dir}", "{dir}/missing/out.onnx", "{dir}/./model.onnx", "{dir}/link-to-model.onnx", "/dev/null");
        var (model, side) = SeedModels.WithExternalUnembed("w.bin");
        var files = new Dictionary<string, byte[]>
        {
            ["model.onnx"] = model.ToByteArray(), ["w.bin"] = side, ["ids.json"] = Feed,
            ["map.json"] = """{"config": {}, "hooks": {}}"""u8.ToArray(), ["@link-to-model.onnx"] = "model.onnx"u8.ToArray(),
        };
        string[] args = random.Next(4) switch
        {
            0 => ["run", "{dir}/model.onnx", "--input", "input_ids={dir}/ids.json", "--input", "position_ids={dir}/ids.json", "-o", output, "--device", "cpu"],
            1 => ["cache", "{dir}/model.onnx", "--tokens", "1,2,3", "--expose", "resid", "-o", output, "--device", "cpu"],
            2 => ["rewrite", "{dir}/model.onnx", "--expose", "resid", "--hook-map", "{dir}/map.json", "-o", output, "--device", "cpu"],
            _ => ["rewrite", "{dir}/model.onnx", "--patch", "resid:rows", "-o", output, "--device", "cpu"],
        };
        return new FuzzCase($"output path '{output}'", files, args);
    }

    FuzzCase WithModel(string kind, byte[] model)
    {
        string[] args = random.Next(4) switch
        {
            0 => ["inspect", "{dir}/model.onnx", "--device", "cpu"],
            1 => ["run", "{dir}/model.onnx", "--tokens", "1,2", "--device", "cpu"],
            2 => ["cache", "{dir}/model.onnx", "--tokens", "1,2", "--expose", "*", "-o", "{dir}/out/a.safetensors", "--device", "cpu"],
            _ => ["rewrite", "{dir}/model.onnx", "--expose", "*", "--patch", "resid:" + Pick("zero", "fed", "rows"), "-o", "{dir}/out/r.onnx", "--device", "cpu"],
        };
        return new FuzzCase(kind, new Dictionary<string, byte[]> { ["model.onnx"] = model, ["out/.keep"] = [] }, args);
    }

    T Pick<T>(params T[] options) => options[random.Next(options.Length)];
}
