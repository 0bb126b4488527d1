using OkvActors.Lab.Report;
using Xunit;
using static OkvActors.Lab.Tests.RatiosTests;

namespace OkvActors.Lab.Tests;

public sealed class ChartsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("okv-lab-charts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Each_operation_gets_a_throughput_and_a_p99_png()
    {
        MacroRow[] rows =
        [
            Row(Systems.Okv, "Get", 1, 200), Row(Systems.Okv, "Get", 32, 900), Row(Systems.PyKmip, "Get", 1, 50), Row(Systems.PyKmip, "Get", 32, 0, failure: "x"),
            Row(Systems.Okv, "Create", 1, 100), Row(Systems.Etcd, "Put", 1, 80),
        ];

        var files = Charts.Write(rows, _dir, "s");

        Assert.Equal(["s-get-throughput.png", "s-get-p99.png", "s-create-throughput.png", "s-create-p99.png"], files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(_dir, file));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
    }
}
