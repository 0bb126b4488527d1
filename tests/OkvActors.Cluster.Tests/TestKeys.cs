using System.Security.Cryptography;
using OkvActors.Pki.Certificates;

namespace OkvActors.Cluster.Tests;

/// <summary>A candidate's key pair as the controller sees it: the CSR fingerprint and the SubjectPublicKeyInfo.</summary>
public sealed record TestKey(string Fingerprint, byte[] PublicKeyInfo)
{
    public static TestKey New(string name = "candidate")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create(name, [], key);
        return new TestKey(csr.Fingerprint, csr.PublicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The fingerprint as an operator may paste it: upper case, bytes separated by ':'.</summary>
    public string Pasted =>
        string.Join(':', Enumerable.Range(0, Fingerprint.Length / 2).Select(i => Fingerprint.Substring(i * 2, 2))).ToUpperInvariant();
}
