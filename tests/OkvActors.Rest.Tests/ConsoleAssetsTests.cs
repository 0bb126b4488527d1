using System.Text.RegularExpressions;
using Xunit;

namespace OkvActors.Rest.Tests;

public sealed partial class ConsoleAssetsTests
{
    [GeneratedRegex(@"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();

    [Theory]
    [InlineData("index.html")]
    [InlineData("console.js")]
    [InlineData("console.css")]
    public void Each_console_asset_is_embedded_and_loads_nothing_from_outside_the_node(string name)
    {
        using var stream = typeof(RestServer).Assembly.GetManifestResourceStream($"console/{name}");
        Assert.NotNull(stream);
        var text = new StreamReader(stream).ReadToEnd();

        Assert.NotEmpty(text);
        Assert.DoesNotMatch(ExternalUrl(), text);
    }
}
