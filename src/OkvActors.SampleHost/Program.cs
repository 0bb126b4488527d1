// A .NET host that embeds an OkvActors node. Prepare the node's data directory first with
// `okv init` (a new cluster) or `okv candidate` + `okv admit` + `okv join` (joining one), then:
//   OKV_DATA_DIR=/path/to/node dotnet run --project src/OkvActors.SampleHost
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OkvActors.Crypto.Keys;
using OkvActors.Hosting;
using OkvActors.KeyStore.Access;
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
    // Key management from DI: the key is generated on the node, stored wrapped under the cluster KEK,
    // used server-side, and every call is in the node's audit log as "operator:host".
    var keys = host.Services.GetRequiredService<VaultSession>();
    if (await keys.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, ["sample-host-key"]) is ObjectStored stored &&
        await keys.ActivateAsync(stored.Object.Uid) is ObjectStored &&
        await keys.EncryptAsync(stored.Object.Uid, "hello"u8.ToArray()) is Encrypted encrypted)
    {
        Console.WriteLine($"key {stored.Object.Uid}: encrypted 5 bytes into {encrypted.Ciphertext.Length}");
    }
}

await host.WaitForShutdownAsync();
