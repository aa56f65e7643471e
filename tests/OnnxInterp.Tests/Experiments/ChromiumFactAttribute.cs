namespace OnnxInterp.Tests.Experiments;

/// <summary>A fact that needs a headless Chromium; skipped with the reason where none is installed (CI installs nothing by hand).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.Path is null)
            Skip = "no chromium on PATH (Debian: apt-get install chromium), so report.html cannot be rendered headless here.";
    }
}
