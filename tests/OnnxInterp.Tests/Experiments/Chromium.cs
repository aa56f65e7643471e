using System.Diagnostics;

namespace OnnxInterp.Tests.Experiments;

/// <summary>A headless Chromium on PATH (Debian's <c>chromium</c> package), to check that report.html renders and its script runs.</summary>
public static class Chromium
{
    public static string? Path { get; } = Find();

    static string? Find()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
            foreach (var dir in dirs)
                if (File.Exists(System.IO.Path.Combine(dir, name))) return System.IO.Path.Combine(dir, name);
        return null;
    }

    /// <summary>Loads the page offline and returns the DOM after its scripts ran (<c>--dump-dom</c>).</summary>
    public static string DumpDom(string htmlFile)
    {
        var start = new ProcessStartInfo(Path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No sandbox: test containers run as root. The proxy setting keeps any network request from leaving the machine.
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=3000", "--dump-dom", new Uri(htmlFile).AbsoluteUri })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var dom = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 60 s");
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {errors.Result}");
        return dom.Result;
    }
}
