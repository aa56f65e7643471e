using OnnxInterp.Cli.Common;

namespace OnnxInterp.Cli.Commands.Inspect;

/// <summary>The human-readable form of <see cref="InspectOutput"/>: one section per concern, long lists abbreviated with a count.</summary>
public static class InspectText
{
    public static void Write(TextWriter w, InspectOutput o, int list)
    {
        w.WriteLine($"model        {o.Model}");
        w.WriteLine($"format       IR version {o.IrVersion}, producer {Producer(o)}, opsets {string.Join(", ", o.Opsets.Select(kv => $"{kv.Key} {kv.Value}"))}");
        w.WriteLine($"graph        {o.NodeCount} nodes, {o.InitializerCount} initializers ({Bytes(o.InitializerBytes)}), external data: {(o.ExternalData ? "yes" : "no")}");
        if (!o.TypesMeasured) w.WriteLine("             (types as declared in the file, not measured by running)");
        foreach (var repair in o.Repairs ?? []) w.WriteLine($"repaired     {repair}");
        Tensors(w, "inputs", o.Inputs, 0, o.TypesMeasured, quiet: false);
        Tensors(w, "outputs", o.Outputs, 0, o.TypesMeasured, quiet: false);
        w.WriteLine($"operators    {o.OpHistogram.Count} kinds: {string.Join(", ", o.OpHistogram.Select(kv => $"{kv.Key} {kv.Value}"))}");
        if (o.HookSource is not null) w.WriteLine($"hook map     {o.HookSource}");
        if (o.HookConfig is not null) w.WriteLine($"config       {o.HookConfig}");
        if (o.Hooks is { } hooks)
        {
            w.WriteLine($"hooks ({hooks.Count}): name, layout, measured type, graph tensor");
            int width = hooks.Select(h => h.Name.Length).DefaultIfEmpty(0).Max();
            foreach (var h in hooks)
            {
                var layout = h.Axes is null ? "" : $"[{string.Join(", ", h.Axes)}]";
                var type = h.Measured?.ToString() ?? (h.Kind == "Derived" ? "(derived on demand)" : "");
                w.WriteLine($"  {h.Name.PadRight(width)}  {layout,-28} {type,-24} {h.Tensor}");
            }
        }
        if (o.Weights is { } weights) InspectWeightsText.Write(w, weights);
        var shown = list == 0 ? o.ExposableCount : Math.Min(list, o.ExposableCount);
        var note = (o.HookedOnlyCount > 0 ? $"; the last {o.HookedOnlyCount} exist only in the hooked model" : "")
                   + (shown < o.ExposableCount ? $", first {shown} shown; --list 0 or --json lists all" : "");
        Tensors(w, $"tensors you can expose ({o.ExposableCount}{note})", o.Exposable, shown, o.TypesMeasured, quiet: true);
    }

    /// <summary><paramref name="quiet"/>: say nothing about a missing declaration (most intermediates have none).</summary>
    static void Tensors(TextWriter w, string title, IReadOnlyList<InspectTensorRow> rows, int limit, bool measured, bool quiet)
    {
        w.WriteLine(title);
        var shown = limit > 0 ? rows.Take(limit).ToList() : rows.ToList();
        int nameWidth = Math.Min(60, shown.Select(r => r.Name.Length).DefaultIfEmpty(0).Max());
        int opWidth = shown.Select(r => r.Op?.Length ?? 0).DefaultIfEmpty(0).Max();
        foreach (var r in shown)
        {
            var op = opWidth > 0 ? "  " + (r.Op ?? "").PadRight(opWidth) : "";
            w.WriteLine($"  {r.Name.PadRight(nameWidth)}{op}  {Type(r, measured, quiet)}");
        }
    }

    static string Type(InspectTensorRow r, bool measured, bool quiet)
    {
        if (!measured || r.Measured is null) return r.Declared?.ToString() ?? "(type not declared)";
        if (!r.DeclarationDisagrees || quiet && r.Declared is null) return r.Measured.ToString();
        return $"{r.Measured}  (measured; the file declares {r.Declared?.ToString() ?? "no type"})";
    }

    static string Producer(InspectOutput o) =>
        o.Producer.Length == 0 ? "(none recorded)" : o.ProducerVersion.Length == 0 ? o.Producer : $"{o.Producer} {o.ProducerVersion}";

    static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB",
    };
}
