using OkvActors.KeyStore.Model;
using Xunit.Sdk;

namespace OkvActors.KeyStore.Tests.Support;

/// <summary>Readable dumps and byte-level comparisons of managed objects (records holding arrays compare by reference).</summary>
public static class Describe
{
    public static string Object(ManagedObject o) =>
        $"{o.Uid} {o.State} progress={o.Progress} compromised={o.Compromised} reason={o.RevocationReason?.ToString() ?? "-"} " +
        $"material={(o.WrappedMaterial is null ? "null" : Convert.ToHexString(o.WrappedMaterial))} " +
        $"dates=[{o.Dates.Activation:O}|{o.Dates.Deactivation:O}|{o.Dates.Compromise:O}|{o.Dates.Destroy:O}] " +
        $"names={string.Join(',', o.Names.Value)}@{o.Names.Stamp} usage={o.UsageMask.Value}@{o.UsageMask.Stamp} " +
        $"wallet={o.Wallet.Value ?? "null"}@{o.Wallet.Stamp} " +
        $"custom={{{string.Join(", ", o.Custom.Select(c => $"{c.Key}={c.Value.Value ?? "null"}@{c.Value.Stamp}"))}}} " +
        $"links={{{string.Join(", ", o.Links.Select(l => $"{l.Key}={l.Value.Value ?? "null"}@{l.Value.Stamp}"))}}}";

    public static void SameEncoding(ManagedObject expected, ManagedObject actual, string what)
    {
        if (!ManagedObjectCodec.Encode(expected).AsSpan().SequenceEqual(ManagedObjectCodec.Encode(actual)))
        {
            throw new XunitException($"{what}: the encodings differ\n  expected {Object(expected)}\n  actual   {Object(actual)}");
        }
    }
}
