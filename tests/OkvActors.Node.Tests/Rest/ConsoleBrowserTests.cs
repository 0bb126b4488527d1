using Microsoft.Playwright;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Rest;

/// <summary>
/// The operators' console in a real browser (Debian's chromium driven by Playwright, never a downloaded
/// browser) with the operator certificate: it shows the three nodes, and a node killed with kill -9 turns
/// unreachable on the page within seconds. The screenshot is kept under TestResults/console/.
/// </summary>
[Collection(RestClusterCollection.Name)]
public sealed class ConsoleBrowserTests(RestCluster cluster)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task The_console_shows_three_nodes_and_a_killed_node_turning_unreachable()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is not installed (apt-get install chromium; .ci/run installs it)");
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node1")).Count == 3
            && (await cluster.Status("node1"))["members"]!.AsArray().All(m => m!["reachable"]!.GetValue<bool>()), Timeout, "three reachable Up members");

        var https = cluster.File.Nodes.Single(n => n.Name == "node1").Https;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        await using var context = await browser.NewContextAsync(new()
        {
            // The node's certificate chains to the cluster CA, which the browser does not know; the operator certificate is what matters here.
            IgnoreHTTPSErrors = true,
            ClientCertificates = [new ClientCertificate { Origin = $"https://{https}", CertPath = cluster.File.Pki.Operator.Cert, KeyPath = cluster.File.Pki.Operator.Key }],
        });
        var page = await context.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.DismissAsync();

        var response = await page.GotoAsync($"https://{https}/console");
        Assert.Equal(200, response!.Status);
        var reachable = page.Locator("tr[data-node][data-reachability='reachable']");
        await Assertions.Expect(reachable).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#restricted")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("tr[data-node] .badge", new() { HasText = "controller" })).ToHaveCountAsync(1);

        var node3 = await cluster.CurrentPid("node3");
        Okv.Kill9(node3);
        await Assertions.Expect(page.Locator("tr[data-node='node3']")).ToHaveAttributeAsync("data-reachability", "unreachable", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("tr[data-node='node3'] .reachability")).ToHaveTextAsync("unreachable");
        await Assertions.Expect(reachable).ToHaveCountAsync(2);

        var screenshot = Path.Combine(ArtifactsDir(), "console-node3-unreachable.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0, screenshot);

        // Leave the shared cluster as it was found.
        await Eventually.Until(() => !Okv.IsAlive(node3), Timeout, "node3's process to be gone");
        await cluster.RestartUntilBack("node3", 3);
    }

    /// <summary>TestResults/console/ in the repository (what `build.ps1 test` collects), else beside the test binaries.</summary>
    private static string ArtifactsDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OkvActors.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "TestResults", "console");
        Directory.CreateDirectory(path);
        return path;
    }
}
