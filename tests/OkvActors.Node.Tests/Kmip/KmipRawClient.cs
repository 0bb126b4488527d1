using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using Xunit;

namespace OkvActors.Node.Tests.Kmip;

/// <summary>
/// A bare KMIP client over mutual TLS for the cases an ordinary client library will not produce:
/// hand-built batches, bytes that frame as TTLV but do not decode, raw garbage.
/// </summary>
public sealed class KmipRawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;

    private KmipRawClient(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
    }

    /// <summary>The TLS version the server agreed to.</summary>
    public SslProtocols Protocol => _tls.SslProtocol;

    public static async Task<KmipRawClient> Connect(string address, string certPem, string keyPem, string caPem,
        SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        var (host, port) = (address.Split(':')[0], int.Parse(address.Split(':')[1]));
        using var pem = X509Certificate2.CreateFromPemFile(certPem, keyPem);
        var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPem);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            // Trust the cluster CA only, as an endpoint should.
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is not null && chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificates = [client],
            EnabledSslProtocols = protocols,
        });
        return new KmipRawClient(tcp, tls);
    }

    public static RequestMessage Request(params (Operation Operation, TtlvItem Payload)[] items) => Request(ProtocolVersion.V1_2, items);

    public static RequestMessage Request(ProtocolVersion version, params (Operation Operation, TtlvItem Payload)[] items) =>
        new(new RequestHeader(version, null, items.Length),
            items.Select((i, n) => new RequestBatchItem(i.Operation, [(byte)n], i.Payload)).ToArray());

    /// <summary>One request of one item; its response item must have succeeded, and its payload is returned.</summary>
    public async Task<TtlvItem> Succeed(ProtocolVersion version, Operation operation, params TtlvItem[] payload)
    {
        var item = Assert.Single((await Send(Request(version, (operation, Payload(payload))))).BatchItems);
        Assert.True(item.ResultStatus == ResultStatus.Success, $"{operation}: {item.ResultReason} {item.ResultMessage}");
        return item.Payload!;
    }

    public static TtlvItem Payload(params TtlvItem[] items) => TtlvItem.Structure(Tag.RequestPayload, items);

    public Task<ResponseMessage> Send(RequestMessage request) => SendBytes(KmipMessageCodec.EncodeRequest(request));

    public async Task<ResponseMessage> SendBytes(byte[] bytes)
    {
        await _tls.WriteAsync(bytes);
        var header = new byte[8];
        await _tls.ReadExactlyAsync(header);
        var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        var message = new byte[8 + length];
        header.CopyTo(message, 0);
        await _tls.ReadExactlyAsync(message.AsMemory(8));
        return KmipMessageCodec.DecodeResponse(message);
    }

    /// <summary>Writes raw bytes and reports whether the server then closed the connection.</summary>
    public async Task<bool> WriteAndSeeClosed(byte[] bytes)
    {
        try
        {
            await _tls.WriteAsync(bytes);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            return await _tls.ReadAsync(new byte[16], timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
