using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Node.Tests.Kmip;

/// <summary>
/// Debian's python3-pykmip, an independent KMIP client, against a real 3-node cluster over mutual TLS
/// with the endpoint certificates `okv up` issued and registered.
/// </summary>
[Collection(KmipClusterCollection.Name)]
public sealed class PyKmipInteropTests(KmipCluster cluster, ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    private async Task<JsonArray> Drive(string node, string endpoint, params object[] steps)
    {
        Skip.IfNot(File.Exists(Python) && File.Exists("/usr/lib/python3/dist-packages/kmip/__init__.py"),
            "python3-pykmip is not installed (apt-get install python3-pykmip; .ci/run does)");
        var identity = cluster.File.Pki.Endpoints.Single(e => e.Name == endpoint);
        var kmip = cluster.File.Nodes.Single(n => n.Name == node).Kmip.Split(':');
        var scenario = JsonSerializer.Serialize(new
        {
            host = kmip[0],
            port = int.Parse(kmip[1]),
            cert = identity.Cert,
            key = identity.Key,
            ca = cluster.File.Pki.Ca,
            steps,
        });
        var info = new ProcessStartInfo(Python, Path.Combine(AppContext.BaseDirectory, "Kmip", "pykmip_driver.py"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(scenario);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine($"pykmip on {node} as {endpoint}: {await stdout}{await stderr}");
        Assert.True(process.ExitCode == 0, $"pykmip driver failed: {await stderr}");
        return JsonNode.Parse(await stdout)!.AsArray();
    }

    private static JsonNode Ok(JsonArray results, int step)
    {
        var result = results[step]!;
        Assert.True(result["ok"]!.GetValue<bool>(), $"step {step}: {result.ToJsonString()}");
        return result;
    }

    private static void Failed(JsonArray results, int step, string reason)
    {
        var result = results[step]!;
        Assert.False(result["ok"]!.GetValue<bool>(), $"step {step} should have failed: {result.ToJsonString()}");
        Assert.Equal(reason, result["reason"]!.GetValue<string>());
    }

    [SkippableFact]
    public async Task Create_register_get_attributes_locate_activate_encrypt_decrypt_revoke_and_destroy()
    {
        var name = $"pykmip-{Guid.NewGuid():N}"[..20];
        const string material = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        const string secret = "73336372337420706173737730726421";
        const string opaque = "6f70617175652062797465732c206e6f7420612073747275637475726521";
        var r = await Drive("node1", "endpoint1",
            new { op = "create", alg = "AES", length = 256, name },                       // 0
            new { op = "register", kind = "symmetric", material, name = name + "-reg" },  // 1
            new { op = "register", kind = "secret", material = secret },                  // 2
            new { op = "register", kind = "opaque", material = opaque },                  // 3
            new { op = "get", uid = "$1" },                                               // 4
            new { op = "get", uid = "$2" },                                               // 5
            new { op = "get", uid = "$3" },                                               // 6
            new { op = "attributes", uid = "$0" },                                        // 7
            new { op = "locate", name },                                                  // 8
            new { op = "activate", uid = "$0" },                                          // 9
            new { op = "encrypt", uid = "$0", data = "48656c6c6f2c204b4d495021" },        // 10
            new { op = "get", uid = "$0" },                                               // 11
            new { op = "destroy", uid = "$0" },                                           // 12: active, refused
            new { op = "revoke", uid = "$0" },                                            // 13
            new { op = "destroy", uid = "$0" },                                           // 14
            new { op = "get", uid = "$0" },                                               // 15: destroyed
            new { op = "get", uid = "00000000-0000-0000-0000-000000000000" },            // 16: unknown
            new { op = "activate", uid = "$0" });                                         // 17: illegal transition

        var uid = Ok(r, 0)["uid"]!.GetValue<string>();
        Assert.Equal(material, Ok(r, 4)["value"]!.GetValue<string>());
        Assert.Equal("SYMMETRIC_KEY", r[4]!["type"]!.GetValue<string>());
        Assert.Equal(secret, Ok(r, 5)["value"]!.GetValue<string>());
        Assert.Equal("SECRET_DATA", r[5]!["type"]!.GetValue<string>());
        Assert.Equal(opaque, Ok(r, 6)["value"]!.GetValue<string>());
        var attributes = Ok(r, 7)["attributes"]!;
        Assert.Contains("AES", attributes["Cryptographic Algorithm"]![0]!.GetValue<string>());
        Assert.Equal("256", attributes["Cryptographic Length"]![0]!.GetValue<string>());
        Assert.Contains("PRE_ACTIVE", attributes["State"]![0]!.GetValue<string>());
        Assert.Equal([uid], Ok(r, 8)["uids"]!.AsArray().Select(u => u!.GetValue<string>()));
        Ok(r, 9);
        var encrypted = Ok(r, 10);
        Assert.Equal(64, Ok(r, 11)["value"]!.GetValue<string>().Length);
        Failed(r, 12, "WRONG_KEY_LIFECYCLE_STATE");
        Ok(r, 13);
        Ok(r, 14);
        Failed(r, 15, "WRONG_KEY_LIFECYCLE_STATE");
        Failed(r, 16, "ITEM_NOT_FOUND");
        Failed(r, 17, "WRONG_KEY_LIFECYCLE_STATE");
        Assert.NotNull(encrypted["iv"]);
    }

    [SkippableFact]
    public async Task A_key_created_through_one_node_is_read_used_and_destroyed_through_the_others_and_hidden_from_other_endpoints()
    {
        var name = $"cross-{Guid.NewGuid():N}"[..20];
        var created = await Drive("node1", "endpoint1", new { op = "create", alg = "AES", length = 128, name }, new { op = "activate", uid = "$0" });
        var uid = Ok(created, 0)["uid"]!.GetValue<string>();
        Ok(created, 1);
        const string plaintext = "7365637265742064617461206f6e206e6f646532";

        var used = await Drive("node2", "endpoint1",
            new { op = "get", uid },
            new { op = "encrypt", uid, data = plaintext },
            new { op = "locate", name });
        Assert.Equal(32, Ok(used, 0)["value"]!.GetValue<string>().Length);
        var encrypted = Ok(used, 1);
        Assert.Equal([uid], Ok(used, 2)["uids"]!.AsArray().Select(u => u!.GetValue<string>()));

        var decrypted = await Drive("node3", "endpoint1",
            new { op = "decrypt", uid, data = encrypted["ciphertext"]!.GetValue<string>(), iv = encrypted["iv"]!.GetValue<string>() },
            new { op = "revoke", uid },
            new { op = "destroy", uid });
        Assert.Equal(plaintext, Ok(decrypted, 0)["plaintext"]!.GetValue<string>());
        Ok(decrypted, 1);
        Ok(decrypted, 2);

        var stranger = await Drive("node2", "endpoint2", new { op = "get", uid }, new { op = "locate", name });
        Failed(stranger, 0, "ITEM_NOT_FOUND");
        Assert.Empty(Ok(stranger, 1)["uids"]!.AsArray());
    }
}
