// A .NET host that embeds an OkvActors node. Prepare the node's data directory first with
// `okv init` (a new cluster) or `okv candidate` + `okv admit` + `okv join` (joining one), then:
//   OKV_DATA_DIR=/path/to/node dotnet run --project src/OkvActors.SampleHost
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OkvActors.Hosting;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddOkvNode(new OkvNodeOptions
{
    DataDirectory = Environment.GetEnvironmentVariable("OKV_DATA_DIR") ?? throw new InvalidOperationException("set OKV_DATA_DIR to a node's data directory"),
});
using var host = builder.Build();
await host.StartAsync();

var vault = host.Services.GetRequiredService<IKeyVault>();
var mode = await vault.ModeAsync();
Console.WriteLine($"node mode: {(mode.Restricted ? "restricted" : "normal")} ({mode.Reason})");
if (!mode.Restricted)
{
    // Material here is a placeholder; real callers store it wrapped under the cluster KEK (KeyManager does).
    var note = ManagedObject.Create(Guid.CreateVersion7().ToString(), ObjectType.OpaqueObject, 0, 0, null,
        new HybridLogicalClock("sample-host").Now(), DateTimeOffset.UtcNow, ["sample-host-note"]);
    Console.WriteLine(await vault.StoreAsync(note) is ObjectStored stored ? $"stored {stored.Object}" : "not stored");
}

await host.WaitForShutdownAsync();
