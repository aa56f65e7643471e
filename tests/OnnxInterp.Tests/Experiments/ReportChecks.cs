using System.Text.RegularExpressions;

namespace OnnxInterp.Tests.Experiments;

/// <summary>What makes report.html open without network access: nothing it loads comes from elsewhere.</summary>
public static partial class ReportChecks
{
    public static void AssertSelfContained(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("src=\"data:image/png;base64,", html);
        foreach (Match m in Loaded().Matches(html))
            Assert.True(m.Groups[1].Value.StartsWith("data:", StringComparison.Ordinal) || m.Groups[1].Value.StartsWith('#'),
                $"report.html loads {m.Groups[1].Value}, which needs the network or another file");
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(http", html);
    }

    [GeneratedRegex(@"(?:src|href)\s*=\s*""([^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex Loaded();
}
