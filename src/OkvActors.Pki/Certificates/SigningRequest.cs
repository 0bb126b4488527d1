using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OkvActors.Pki.Certificates;

/// <summary>
/// A candidate's certificate signing request: the node name it asks for, the addresses it serves on,
/// and its public key. The private key never leaves the candidate.
/// </summary>
public sealed class SigningRequest
{
    private SigningRequest(CertificateRequest request, string name, IReadOnlyList<IPAddress> addresses, string pem)
    {
        Request = request;
        Name = name;
        Addresses = addresses;
        PemText = pem;
        Fingerprint = Certificates.Fingerprint.Of(request);
    }

    internal CertificateRequest Request { get; }

    public string Name { get; }

    public IReadOnlyList<IPAddress> Addresses { get; }

    public string Fingerprint { get; }

    public string PemText { get; }

    public PublicKey PublicKey => Request.PublicKey;

    /// <summary>Makes a CSR for <paramref name="name"/> signed by <paramref name="key"/>.</summary>
    public static SigningRequest Create(string name, IEnumerable<IPAddress> addresses, ECDsa key)
    {
        NodeNames.Validate(name);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        var list = addresses.ToList();
        foreach (var address in list)
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        var pem = request.CreateSigningRequestPem();
        return new SigningRequest(request, name, list, pem);
    }

    /// <summary>
    /// Parses a PEM CSR and checks its self-signature: a CSR that was altered after signing, or
    /// is not a CSR at all, is refused here.
    /// </summary>
    public static SigningRequest Parse(string pem)
    {
        CertificateRequest request;
        try
        {
            // Extensions are only read (for the addresses), never copied into the certificate, so loading them is safe;
            // without this option they are dropped and every parsed CSR would have lost its addresses.
            request = CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256,
                CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new PkiException(
                "not a valid certificate signing request (corrupt, altered after signing, or not a CSR); " +
                "make a new one with `okv candidate` on the new node", e);
        }

        if (request.PublicKey.Oid.Value != "1.2.840.10045.2.1")
        {
            throw new PkiException("the CSR's key is not an EC key; make the CSR with `okv candidate`");
        }

        var name = request.SubjectName.GetSingleValue("CN")
            ?? throw new PkiException("the CSR names no node (no CN); make the CSR with `okv candidate`");
        NodeNames.Validate(name);
        List<IPAddress> addresses;
        try
        {
            addresses = request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>()
                .SelectMany(e => e.EnumerateIPAddresses()).ToList();
        }
        catch (CryptographicException e)
        {
            throw new PkiException("the CSR's subject alternative names are malformed; make the CSR with `okv candidate`", e);
        }

        return new SigningRequest(request, name, addresses, pem);
    }
}

internal static class X500Extensions
{
    public static string? GetSingleValue(this X500DistinguishedName name, string attribute)
    {
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var oid = rdn.GetSingleElementType();
            var friendly = oid.FriendlyName ?? oid.Value;
            if (string.Equals(friendly, attribute, StringComparison.OrdinalIgnoreCase)
                || (attribute == "CN" && oid.Value == "2.5.4.3")
                || (attribute == "OU" && oid.Value == "2.5.4.11")
                || (attribute == "O" && oid.Value == "2.5.4.10"))
            {
                return rdn.GetSingleElementValue();
            }
        }

        return null;
    }
}
