using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OkvActors.Pki.Certificates;

/// <summary>Reading and writing PEM files; private keys are written owner-only.</summary>
public static class Pem
{
    public static string Certificate(X509Certificate2 certificate) =>
        PemEncoding.WriteString("CERTIFICATE", certificate.RawData);

    public static string PrivateKey(ECDsa key) => key.ExportPkcs8PrivateKeyPem();

    public static X509Certificate2 ReadCertificate(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new PkiException("not a PEM certificate", e);
        }
    }

    public static ECDsa ReadPrivateKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new PkiException("not a PEM EC private key", e);
        }
    }

    /// <summary>A certificate bound to its private key, as TLS needs it.</summary>
    public static X509Certificate2 ReadCertificateWithKey(string certificatePem, string keyPem)
    {
        using var certificate = ReadCertificate(certificatePem);
        using var key = ReadPrivateKey(keyPem);
        try
        {
            using var bound = certificate.CopyWithPrivateKey(key);
            // Re-import as PKCS#12 so the key is usable by every TLS stack on every platform.
            return X509CertificateLoader.LoadPkcs12(bound.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new PkiException("the private key does not belong to the certificate", e);
        }
    }

    public static void WriteFile(string path, string pem) => File.WriteAllText(path, pem);

    public static void WritePrivateFile(string path, string pem) => WritePrivateFile(path, System.Text.Encoding.UTF8.GetBytes(pem));

    public static void WritePrivateFile(string path, byte[] content)
    {
        // Create it owner-only before any secret byte is written.
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
    }
}
