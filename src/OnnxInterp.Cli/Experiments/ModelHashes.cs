using System.Security.Cryptography;
using OnnxInterp.Hooks;
using OnnxInterp.Onnx;
using OnnxInterp.Onnx.Proto;

namespace OnnxInterp.Cli.Experiments;

/// <summary>The sha256 of a model file and of each external weight file it references: the numbers depend on both.</summary>
internal static class ModelHashes
{
    public static ModelFile Of(string path, HookedModel model)
    {
        var folder = Path.GetDirectoryName(path)!;
        var external = model.Model.Graph.Initializers.Values
            .Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            .Select(ExternalData.Location).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .ToDictionary(l => l, l => Sha256(ExternalData.ResolvePath(l, folder)), StringComparer.Ordinal);
        return new ModelFile(path, Sha256(path), external.Count == 0 ? null : external);
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
