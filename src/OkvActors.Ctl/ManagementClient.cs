using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using OkvActors.Cluster.Control;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;

namespace OkvActors.Ctl;

/// <summary>The operator identity and the CA that okvctl trusts the node by.</summary>
public sealed class OperatorIdentity(X509Certificate2 certificate, X509Certificate2 ca) : IDisposable
{
    public X509Certificate2 Certificate { get; } = certificate;

    public X509Certificate2 Ca { get; } = ca;

    public static OperatorIdentity Load(string caPath, string certPath, string keyPath)
    {
        foreach (var path in new[] { caPath, certPath, keyPath })
        {
            if (!File.Exists(path))
            {
                throw new CtlError($"{path} does not exist");
            }
        }

        try
        {
            return new OperatorIdentity(Pem.ReadCertificateWithKey(File.ReadAllText(certPath), File.ReadAllText(keyPath)),
                Pem.ReadCertificate(File.ReadAllText(caPath)));
        }
        catch (Exception e) when (e is PkiException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new CtlError($"cannot load the operator identity ({certPath}, {keyPath}): {e.Message}");
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Ca.Dispose();
    }
}

/// <summary>
/// One mutual-TLS connection to a node's management listener: okvctl presents the operator certificate
/// and accepts the node only if its certificate is a node certificate of the same cluster CA. Requests
/// and answers are JSON lines; one connection carries a whole REPL session.
/// </summary>
public sealed class ManagementClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly StreamReader _reader;
    private readonly TimeSpan _timeout;

    private ManagementClient(TcpClient tcp, SslStream tls, TimeSpan timeout)
    {
        _tcp = tcp;
        _tls = tls;
        _timeout = timeout;
        _reader = new StreamReader(tls, Encoding.UTF8);
    }

    public static async Task<ManagementClient> ConnectAsync(string target, OperatorIdentity identity, TimeSpan timeout)
    {
        var colon = target.LastIndexOf(':');
        var host = target[..colon].Trim('[', ']');
        var port = int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await tcp.ConnectAsync(host, port, cts.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            tcp.Dispose();
            var why = e is SocketException s ? s.SocketErrorCode.ToString() : $"no answer within {timeout.TotalSeconds:0}s";
            throw new CtlError($"cannot reach {target} ({why}): is the node running, and is this its management port?");
        }

        var validator = new PeerCertificateValidator(identity.Ca, new RevocationList(), new HashSet<CertificateRole> { CertificateRole.Node });
        string? refusal = null;
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                refusal = "the node presented no certificate";
                return false;
            }

            using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var verdict = validator.Validate(presented);
            refusal = verdict.Accepted ? null : $"the node's certificate is not trusted: {verdict.Detail}";
            return verdict.Accepted;
        });
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = [identity.Certificate],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, cts.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            await tls.DisposeAsync();
            tcp.Dispose();
            throw new CtlError(refusal ?? $"TLS handshake with {target} failed ({e.Message}); okvctl needs an operator certificate of this cluster's CA");
        }

        return new ManagementClient(tcp, tls, timeout);
    }

    /// <summary>Sends one request and reads its answer.</summary>
    public async Task<ControlResponse> SendAsync(ControlRequest request, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_timeout);
        try
        {
            await WriteAsync(request, cts.Token);
            return await ReadAsync(cts.Token) ?? throw Refused();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CtlError($"the node did not answer '{request.Command}' within {_timeout.TotalSeconds:0}s");
        }
        catch (IOException)
        {
            throw Refused();
        }
    }

    /// <summary>A streaming command's answers until <paramref name="cancellationToken"/> (Ctrl-C) or the node ends it.</summary>
    public async IAsyncEnumerable<ControlResponse> StreamAsync(ControlRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await WriteAsync(request, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            ControlResponse? response;
            try
            {
                response = await ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                yield break;
            }

            if (response is null)
            {
                yield break;
            }

            yield return response;
            if (!response.More)
            {
                yield break;
            }
        }
    }

    private static CtlError Refused() =>
        new("the node closed the connection: it refused this certificate (okvctl needs an operator certificate of this cluster's CA, not revoked)");

    private async Task WriteAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Serialize(request, ControlJson.Options) + "\n";
        await _tls.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
        await _tls.FlushAsync(cancellationToken);
    }

    private async Task<ControlResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        var line = await _reader.ReadLineAsync(cancellationToken);
        return line is null ? null : JsonSerializer.Deserialize<ControlResponse>(line, ControlJson.Options);
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
