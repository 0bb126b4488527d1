using System.Security.Cryptography;
using System.Text;
using OkvActors.Chaos.Checks;
using Xunit;

namespace OkvActors.Chaos.Tests;

public sealed class PlaintextScannerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("okv-chaos-scan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("raw")]
    [InlineData("hex")]
    [InlineData("HEX")]
    [InlineData("base64")]
    public void Material_is_found_in_every_encoding(string encoding)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var encoded = encoding switch
        {
            "raw" => key,
            "hex" => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key)),
            "HEX" => Encoding.ASCII.GetBytes(Convert.ToHexString(key)),
            _ => Encoding.ASCII.GetBytes(Convert.ToBase64String(key)),
        };
        var file = Path.Combine(_dir, "node.log");
        File.WriteAllBytes(file, [.. "log line: "u8.ToArray(), .. encoded, .. "\n"u8.ToArray()]);

        var finding = Assert.Single(PlaintextScanner.Scan([file], [("u1", key)]));

        Assert.Equal(new PlaintextFinding(file, 10, "u1", encoding), finding);
    }

    [Fact]
    public void Other_bytes_and_a_near_miss_are_not_findings()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var nearMiss = key.ToArray();
        nearMiss[31] ^= 1;
        var file = Path.Combine(_dir, "okv.db");
        File.WriteAllBytes(file, [.. RandomNumberGenerator.GetBytes(4096), .. nearMiss]);

        Assert.Empty(PlaintextScanner.Scan([file], [("u1", key)]));
    }
}
