using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using OkvActors.Endpoints.Kmip;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;
using Xunit;

namespace OkvActors.Endpoints.Tests.Kmip;

/// <summary>The KMIP listener over real TLS with certificates of a real cluster CA; the handler echoes what it was given.</summary>
public sealed class KmipListenerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ClusterCa _ca = ClusterCa.Create("kmip-test");
    private readonly RevocationList _revocations = new();
    private readonly ConcurrentQueue<(KmipPeer Peer, byte[] Request)> _handled = new();
    private KmipListener _listener = null!;

    public Task InitializeAsync()
    {
        _listener = Listen(KmipSettings.Create(ConfigurationFactory.ParseString("okv.kmip { read-timeout = 2s, max-message-size = 4 KiB, max-connections = 4 }")));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        _ca.Dispose();
    }

    private KmipListener Listen(KmipSettings settings) =>
        new(new IPEndPoint(IPAddress.Loopback, 0), Issue("node1", CertificateRole.Node), _ca.Certificate, _revocations, settings,
            (request, peer, _) =>
            {
                _handled.Enqueue((peer, request.ToArray()));
                return Task.FromResult(request.ToArray());
            }, NoLogger.Instance);

    private X509Certificate2 Issue(string name, CertificateRole role, ClusterCa? ca = null)
    {
        var (certificate, key) = (ca ?? _ca).IssueWithNewKey(name, role, TimeSpan.FromDays(1));
        using (key)
        using (certificate)
        using (var withKey = certificate.CopyWithPrivateKey(key))
        {
            // Through PKCS#12 so SslStream on Linux can use the private key.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>A Request Message of <paramref name="valueLength"/> zero bytes.</summary>
    private static byte[] Request(int valueLength, byte typeByte = 0x01, uint? declared = null)
    {
        var message = new byte[8 + valueLength];
        message[0] = 0x42;
        message[1] = 0x00;
        message[2] = 0x78;
        message[3] = typeByte;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), declared ?? (uint)valueLength);
        return message;
    }

    private async Task<SslStream> Connect(X509Certificate2? client)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(_listener.LocalEndpoint);
        var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "okv",
            ClientCertificates = client is null ? [] : [client],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        });
        return tls;
    }

    /// <summary>True when the server ended the connection (EOF or reset), false if it answered.</summary>
    private static async Task<bool> ClosedByServer(Stream stream)
    {
        var buffer = new byte[64];
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            return await stream.ReadAsync(buffer, timeout.Token) == 0;
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return true;
        }
    }

    private static async Task<byte[]> RoundTrip(Stream stream, byte[] request)
    {
        await stream.WriteAsync(request);
        var answer = new byte[request.Length];
        await stream.ReadExactlyAsync(answer);
        return answer;
    }

    [Fact]
    public async Task An_endpoint_certificate_is_served_request_after_request_and_identified_by_its_fingerprint()
    {
        using var endpoint = Issue("app1", CertificateRole.Endpoint);
        await using var tls = await Connect(endpoint);

        var first = await RoundTrip(tls, Request(16));
        var second = await RoundTrip(tls, Request(8));

        Assert.Equal(Request(16), first);
        Assert.Equal(Request(8), second);
        Assert.Equal(2, _handled.Count);
        Assert.All(_handled, h => Assert.Equal(Fingerprint.Of(endpoint), h.Peer.Fingerprint));
        Assert.Contains("CN=app1", _handled.First().Peer.Subject);
    }

    public static TheoryData<string> Refused => new() { "node", "operator", "foreign-ca", "revoked", "none" };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_client_without_a_valid_endpoint_certificate_never_reaches_the_handler(string kind)
    {
        using var foreignCa = ClusterCa.Create("someone-else");
        var certificate = kind switch
        {
            "node" => Issue("node2", CertificateRole.Node),
            "operator" => Issue("admin", CertificateRole.Operator),
            "foreign-ca" => Issue("app1", CertificateRole.Endpoint, foreignCa),
            "revoked" => Issue("app9", CertificateRole.Endpoint),
            _ => null,
        };
        if (kind == "revoked")
        {
            _revocations.Replace([Fingerprint.Of(certificate!)]);
        }

        var refused = false;
        try
        {
            await using var tls = await Connect(certificate);
            // TLS 1.3 reports a refused client certificate after the client's side of the handshake.
            await tls.WriteAsync(Request(8));
            refused = await ClosedByServer(tls);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            refused = true;
        }

        certificate?.Dispose();
        Assert.True(refused, $"a {kind} client must be refused");
        Assert.Empty(_handled);
    }

    public static TheoryData<string, byte[]> BadFrames => new()
    {
        { "not TTLV at all", "GET / HTTP/1.1\r\n\r\n"u8.ToArray() },
        { "a response tag", [0x42, 0x00, 0x7B, 0x01, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0] },
        { "not a structure", Request(8, typeByte: 0x07) },
        { "a length over the limit", Request(0, declared: 64 * 1024) },
        { "a length of 2^32 - 8", Request(0, declared: 0xFFFFFFF8) },
        { "a length not a multiple of 8", Request(0, declared: 12) },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task Bytes_that_cannot_start_a_request_close_the_connection_without_reaching_the_handler(string what, byte[] bytes)
    {
        using var endpoint = Issue("app1", CertificateRole.Endpoint);
        await using var tls = await Connect(endpoint);

        await tls.WriteAsync(bytes);

        Assert.True(await ClosedByServer(tls), what);
        Assert.Empty(_handled);
        await using var next = await Connect(endpoint);
        Assert.Equal(Request(8), await RoundTrip(next, Request(8)));
    }

    [Fact]
    public async Task A_client_that_stops_mid_message_is_cut_off_after_the_read_timeout_and_does_not_stall_others()
    {
        using var endpoint = Issue("app1", CertificateRole.Endpoint);
        await using var slow = await Connect(endpoint);
        var partial = Request(64);
        await slow.WriteAsync(partial.AsMemory(0, 20));
        await slow.FlushAsync();

        await using (var other = await Connect(endpoint))
        {
            Assert.Equal(Request(8), await RoundTrip(other, Request(8)));
        }

        Assert.True(await ClosedByServer(slow), "the slow client must be disconnected");
        Assert.Single(_handled);
    }

    [Fact]
    public async Task A_client_that_closes_mid_message_is_dropped_without_an_answer()
    {
        using var endpoint = Issue("app1", CertificateRole.Endpoint);
        var tls = await Connect(endpoint);
        await tls.WriteAsync(Request(64).AsMemory(0, 30));
        await tls.DisposeAsync();

        await using var next = await Connect(endpoint);
        Assert.Equal(Request(16), await RoundTrip(next, Request(16)));
        Assert.Single(_handled);
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_closed_at_once()
    {
        using var endpoint = Issue("app1", CertificateRole.Endpoint);
        var open = new List<SslStream>();
        for (var i = 0; i < 4; i++)
        {
            open.Add(await Connect(endpoint));
        }

        var refused = false;
        try
        {
            await using var fifth = await Connect(endpoint);
            await fifth.WriteAsync(Request(8));
            refused = await ClosedByServer(fifth);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            refused = true;
        }

        Assert.True(refused);
        foreach (var stream in open)
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public void The_framing_rules_name_the_problem()
    {
        Assert.Null(KmipListener.FramingProblem(Request(0, declared: 4088), 4096, out var length));
        Assert.Equal(4088, length);
        Assert.Contains("over the 4096-byte limit", KmipListener.FramingProblem(Request(0, declared: 4096), 4096, out _));
        Assert.Contains("Request Message (0x420078)", KmipListener.FramingProblem([0x42, 0, 0x7B, 1, 0, 0, 0, 0], 4096, out _));
        Assert.Contains("must be a Structure", KmipListener.FramingProblem(Request(0, typeByte: 2), 4096, out _));
    }
}
