using OnnxInterp.Hooks.Weights;

namespace OnnxInterp.Cli.Commands.Inspect;

/// <summary>The weights table of <c>inspect --weights</c>: name, TransformerLens shape, source initializer (type, stored shape), derivation.</summary>
public static class InspectWeightsText
{
    public static void Write(TextWriter w, IReadOnlyList<WeightRow> rows)
    {
        w.WriteLine($"weights ({rows.Count}): name, shape, source initializer [stored shape, type], how it was derived");
        int nameWidth = rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max();
        int shapeWidth = rows.Select(r => Shape(r.Shape).Length).DefaultIfEmpty(0).Max();
        foreach (var r in rows)
            w.WriteLine($"  {r.Name.PadRight(nameWidth)}  {Shape(r.Shape).PadRight(shapeWidth)}  {r.Source} {Shape(r.StoredShape)} {r.StoredType}  {r.Derivation}");
    }

    static string Shape(IReadOnlyList<long> dims) => $"[{string.Join(", ", dims)}]";
}
