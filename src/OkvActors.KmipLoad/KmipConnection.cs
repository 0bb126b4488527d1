using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Kmip.Messages;

namespace OkvActors.KmipLoad;

/// <summary>The client identity and trust anchor, loaded once and shared by every connection.</summary>
public sealed class TlsIdentity
{
    private TlsIdentity(X509Certificate2 client, X509Certificate2 ca)
    {
        Client = client;
        Ca = ca;
    }

    public X509Certificate2 Client { get; }

    public X509Certificate2 Ca { get; }

    public static TlsIdentity Load(string certPem, string keyPem, string caPem)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certPem, keyPem);
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPem);
        return new TlsIdentity(client, ca);
    }
}

/// <summary>One mutual-TLS KMIP connection: one request in flight at a time, TTLV-framed.</summary>
public sealed class KmipConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly byte[] _header = new byte[8];

    private KmipConnection(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    public static async Task<KmipConnection> Connect(string address, TlsIdentity identity, CancellationToken token)
    {
        var colon = address.LastIndexOf(':');
        var (host, port) = (address[..colon].Trim('[', ']'), int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, token);
            var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
            {
                // Trust the given CA only; the server's name is not checked (load targets are often addressed by IP).
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(identity.Ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return chain.Build(server);
            });
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = [identity.Client],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, token);
            return new KmipConnection(tcp, tls);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    public async Task<ResponseMessage> Send(RequestMessage request, CancellationToken token)
    {
        await _tls.WriteAsync(KmipMessageCodec.EncodeRequest(request), token);
        await _tls.ReadExactlyAsync(_header, token);
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
        if (length > 16 * 1024 * 1024)
        {
            throw new IOException($"response of {length} bytes announced");
        }

        var message = new byte[8 + (int)length];
        _header.CopyTo(message, 0);
        await _tls.ReadExactlyAsync(message.AsMemory(8), token);
        return KmipMessageCodec.DecodeResponse(message);
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
