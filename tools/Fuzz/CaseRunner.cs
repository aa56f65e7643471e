using System.Security.Cryptography;
using System.Text;
using OnnxInterp.Cli;

namespace OnnxInterp.Fuzz;

/// <summary>How one case ended, judged against the contract in docs/safety.md.</summary>
public enum Outcome { Success, CleanError, Crash, InputModified, OutputLeftBehind, Hang }

/// <summary>
/// Runs a case in a fresh folder through the same entry point as the <c>onnxinterp</c> program, and judges it: a clean
/// error is exit 1 or 2 with exactly one line starting "error: ", no stack trace and no catch-all "unexpected"; every
/// input file keeps its bytes; a failed command leaves no new file behind.
/// </summary>
public static class CaseRunner
{
    public static (Outcome Outcome, string Detail) Run(FuzzCase fuzzCase, TimeSpan timeout)
    {
        var folder = Directory.CreateTempSubdirectory("onnxinterp-fuzz-").FullName;
        try
        {
            foreach (var (name, bytes) in fuzzCase.Files)
            {
                var path = Path.Combine(folder, name.TrimStart('@'));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                if (name.StartsWith('@')) File.CreateSymbolicLink(path, Encoding.UTF8.GetString(bytes));
                else File.WriteAllBytes(path, bytes);
            }
            var before = Snapshot(folder);
            var args = fuzzCase.Args.Select(a => a.Replace("{dir}", folder)).ToArray();
            using var output = new StringWriter();
            using var error = new StringWriter();
            var run = Task.Run(() => CliApp.Run(args, output, error));
            if (!run.Wait(timeout)) return (Outcome.Hang, string.Join(' ', args));
            int code = run.Result;
            var after = Snapshot(folder);
            var text = error.ToString();
            // Only the output may change, and only when the command does not also read it (the model, its side
            // file, a feed or hook map named on the command line).
            var outputAt = Array.IndexOf(args, "-o") is var o and >= 0 && o + 1 < args.Length ? Rel(folder, args[o + 1]) : null;
            var read = args.Where((a, i) => i == 0 || args[i - 1] != "-o").SelectMany(a => a.Split('=')).Select(a => Rel(folder, a)).OfType<string>()
                .Append("model.onnx").Append("w.bin").ToHashSet();
            var changed = before.Where(kv => !after.TryGetValue(kv.Key, out var h) || h != kv.Value)
                .Select(kv => kv.Key).Where(f => f != outputAt || read.Contains(f)).ToList();
            if (changed.Count > 0) return (Outcome.InputModified, $"{string.Join(", ", changed)} changed by: {string.Join(' ', args)}");
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("CUDA is not available")).ToList();
            if (code == 0) return (Outcome.Success, "");
            bool clean = code is 1 or 2 && lines.Count == 1 && lines[0].StartsWith("error: ") && !lines[0].Contains("unexpected ")
                && !text.Contains("   at ") && !text.Contains(".cc:") && !text.Contains("onnxruntime::");
            if (!clean) return (Outcome.Crash, $"exit {code}: {text.Trim()} <- {string.Join(' ', args)}");
            var added = after.Keys.Except(before.Keys).ToList();
            if (added.Count > 0) return (Outcome.OutputLeftBehind, $"{string.Join(", ", added)} left by: {string.Join(' ', args)}");
            return (Outcome.CleanError, lines[0]);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A path inside the case folder, relative to it (resolving "." and ".."); null for anything else.</summary>
    static string? Rel(string folder, string path)
    {
        if (!path.StartsWith(folder, StringComparison.Ordinal)) return null;
        try { return Path.GetRelativePath(folder, Path.GetFullPath(path)); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Every regular file under the folder (links not followed) with its hash.</summary>
    static Dictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => new FileInfo(f).LinkTarget is null)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
