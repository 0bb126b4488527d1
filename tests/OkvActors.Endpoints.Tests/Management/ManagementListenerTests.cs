using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Akka.Configuration;
using Akka.Event;
using OkvActors.Cluster.Control;
using OkvActors.Endpoints.Management;
using OkvActors.KeyStore.Access;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;
using Xunit;

namespace OkvActors.Endpoints.Tests.Management;

/// <summary>The management listener over real TLS with certificates of a real cluster CA; the handler records who asked what.</summary>
public sealed class ManagementListenerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ClusterCa _ca = ClusterCa.Create("management-test");
    private readonly RevocationList _revocations = new();
    private readonly RecordingHandler _handler = new();
    private ManagementListener _listener = null!;

    public Task InitializeAsync()
    {
        _listener = new ManagementListener(new IPEndPoint(IPAddress.Loopback, 0), Issue("node1", CertificateRole.Node), _ca.Certificate,
            _revocations, ManagementSettings.Create(ConfigurationFactory.ParseString("okv.management { max-request-size = 1 KiB }")), _handler,
            NoLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        _ca.Dispose();
    }

    private X509Certificate2 Issue(string name, CertificateRole role, ClusterCa? ca = null)
    {
        var (certificate, key) = (ca ?? _ca).IssueWithNewKey(name, role, TimeSpan.FromDays(1));
        using (key)
        using (certificate)
        using (var withKey = certificate.CopyWithPrivateKey(key))
        {
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
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

    private static async Task Send(Stream stream, string line) => await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));

    private static async Task<ControlResponse?> Receive(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var line = await reader.ReadLineAsync(timeout.Token);
        return line is null ? null : JsonSerializer.Deserialize<ControlResponse>(line, ControlJson.Options);
    }

    [Fact]
    public async Task An_operator_certificate_runs_command_after_command_as_the_operator_it_names()
    {
        using var admin = Issue("alice", CertificateRole.Operator);
        await using var tls = await Connect(admin);
        using var reader = new StreamReader(tls, Encoding.UTF8);

        await Send(tls, """{"command":"mode"}""");
        var first = await Receive(reader);
        await Send(tls, """{"command":"cluster-show","args":{"x":"1"}}""");
        var second = await Receive(reader);

        Assert.True(first!.Ok);
        Assert.Equal("mode", first.Message);
        Assert.Equal("cluster-show", second!.Message);
        Assert.All(_handler.Calls, c => Assert.Equal(new Principal.Operator("alice"), c.Caller));
        Assert.Equal("1", _handler.Calls.Last().Request.Optional("x"));
    }

    public static TheoryData<string> Refused => new() { "endpoint", "node", "foreign-ca", "revoked", "none" };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_client_without_a_valid_operator_certificate_never_reaches_the_handler(string kind)
    {
        using var foreignCa = ClusterCa.Create("someone-else");
        var certificate = kind switch
        {
            "endpoint" => Issue("app1", CertificateRole.Endpoint),
            "node" => Issue("node2", CertificateRole.Node),
            "foreign-ca" => Issue("alice", CertificateRole.Operator, foreignCa),
            "revoked" => Issue("mallory", CertificateRole.Operator),
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
            await Send(tls, """{"command":"mode"}""");
            using var reader = new StreamReader(tls, Encoding.UTF8);
            refused = await Receive(reader) is null;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            refused = true;
        }

        certificate?.Dispose();
        Assert.True(refused, $"a {kind} client must be refused");
        Assert.Empty(_handler.Calls);
    }

    [Fact]
    public async Task Garbage_is_answered_with_a_refusal_and_an_overlong_line_closes_the_connection()
    {
        using var admin = Issue("alice", CertificateRole.Operator);
        await using var tls = await Connect(admin);
        using var reader = new StreamReader(tls, Encoding.UTF8);

        await Send(tls, "not json");
        var garbage = await Receive(reader);
        await Send(tls, new string('x', 4096));
        var tooLong = await Receive(reader);

        Assert.False(garbage!.Ok);
        Assert.Contains("not a control request", garbage.Message);
        Assert.False(tooLong!.Ok);
        Assert.Contains("too long", tooLong.Message);
        Assert.Null(await Receive(reader));
        Assert.Empty(_handler.Calls);
    }

    [Fact]
    public async Task A_stream_runs_until_the_client_hangs_up()
    {
        using var admin = Issue("alice", CertificateRole.Operator);
        var tls = await Connect(admin);
        var reader = new StreamReader(tls, Encoding.UTF8);

        await Send(tls, """{"command":"cluster-tail"}""");
        var first = await Receive(reader);
        var second = await Receive(reader);
        reader.Dispose();
        await tls.DisposeAsync();

        Assert.True(first!.More);
        Assert.True(second!.More);
        await _handler.StreamEnded.Task.WaitAsync(Patience);
    }

    /// <summary>Answers every command with its own name; `cluster-tail` streams a tick every 50 ms.</summary>
    private sealed class RecordingHandler : IControlHandler
    {
        public ConcurrentQueue<(ControlRequest Request, Principal Caller)> Calls { get; } = new();

        public TaskCompletionSource StreamEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsStreaming(ControlRequest request) => request.Command == "cluster-tail";

        public Task<ControlResponse> HandleAsync(ControlRequest request, Principal caller, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue((request, caller));
            return Task.FromResult(ControlResponse.Done(request.Command));
        }

        public async IAsyncEnumerable<ControlResponse> StreamAsync(ControlRequest request, Principal caller,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Calls.Enqueue((request, caller));
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    yield return ControlResponse.Event("tick");
                    try
                    {
                        await Task.Delay(50, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                StreamEnded.TrySetResult();
            }
        }
    }
}
