using OnnxInterp.Cli.Common;
using OnnxInterp.Onnx;

namespace OnnxInterp.Cli.Reports;

/// <summary>
/// Writes a verb's results into its <c>-o DIR</c> folder: <c>NAME.json</c> (the verb's output record, in the
/// style of <c>--json</c>), <c>NAME.csv</c>, and for grids <c>NAME.png</c>. Every file is written atomically
/// (<see cref="AtomicFile"/>); each method returns the full paths it wrote so the verb can list them.
/// </summary>
public static class ReportFiles
{
    /// <summary>Creates the output folder (and its parents) if needed and returns its full path; fails early, before any work, if it cannot.</summary>
    public static string PrepareFolder(string folder, string option = "-o")
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new UsageException($"{option} is empty; give a folder for the report files.");
        var full = Path.GetFullPath(folder);
        if (File.Exists(full))
            throw new UsageException($"{option} {folder} is a file; give a folder for the report files.");
        try
        {
            Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"cannot create {option} folder {folder}: {(e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.'))}. Choose a writable output path.", e);
        }
        return full;
    }

    /// <summary>Writes <c>NAME.json</c> (the value serialised as --json prints it), <c>NAME.csv</c> (long form) and <c>NAME.png</c> (heatmap).</summary>
    public static IReadOnlyList<string> WriteGrid<T>(string folder, string name, GridResult grid, T jsonValue) =>
    [
        WriteJson(folder, name, jsonValue),
        WriteText(folder, name + ".csv", CsvText.Format(grid)),
        WritePng(folder, name, grid),
    ];

    /// <summary>As <see cref="WriteGrid{T}"/> with the grid itself as the JSON.</summary>
    public static IReadOnlyList<string> WriteGrid(string folder, string name, GridResult grid) => WriteGrid(folder, name, grid, grid);

    /// <summary>Writes <c>NAME.json</c> and <c>NAME.csv</c> for a result that is a table rather than a grid.</summary>
    public static IReadOnlyList<string> WriteTable<T>(string folder, string name, T jsonValue, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows) =>
    [
        WriteJson(folder, name, jsonValue),
        WriteText(folder, name + ".csv", CsvText.Format(header, rows)),
    ];

    public static string WriteJson<T>(string folder, string name, T value)
    {
        var text = new StringWriter();
        JsonOutput.Write(text, value);
        return WriteText(folder, name + ".json", text.ToString());
    }

    public static string WritePng(string folder, string name, GridResult grid)
    {
        var bytes = GridHeatmap.Png(grid);
        var path = Path.Combine(folder, name + ".png");
        AtomicFile.Write(path, s => s.Write(bytes));
        return Path.GetFullPath(path);
    }

    public static string WriteText(string folder, string fileName, string text)
    {
        var path = Path.Combine(folder, fileName);
        AtomicFile.WriteAllText(path, text);
        return Path.GetFullPath(path);
    }
}
