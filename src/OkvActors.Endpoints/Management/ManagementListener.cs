using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Akka.Event;
using OkvActors.Cluster.Control;
using OkvActors.Endpoints.Tls;
using OkvActors.KeyStore.Access;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;

namespace OkvActors.Endpoints.Management;

/// <summary>
/// okvctl's way in: the node's control commands over mutual TLS on its management port. Only an
/// operator certificate of the cluster CA (not revoked) completes the handshake; endpoint and node
/// certificates, foreign ones and none are refused. The protocol is the control socket's: one JSON
/// request per line, one JSON answer per line, request after request on one connection (the REPL);
/// a streaming command (`cluster tail`) answers until the client hangs up, which ends the connection.
/// Commands run as <see cref="Principal.Operator"/> named after the certificate's common name, so the
/// audit log says which operator did what.
/// </summary>
public sealed class ManagementListener : IAsyncDisposable
{
    private readonly ManagementSettings _settings;
    private readonly IControlHandler _handler;
    private readonly ILoggingAdapter _log;
    private readonly MutualTlsListener _listener;

    public ManagementListener(IPEndPoint bind, X509Certificate2 serverCertificate, X509Certificate2 clusterCa, RevocationList revocations,
        ManagementSettings settings, IControlHandler handler, ILoggingAdapter log, TimeProvider? time = null)
    {
        _settings = settings;
        _handler = handler;
        _log = log;
        var validator = new PeerCertificateValidator(clusterCa, revocations, new HashSet<CertificateRole> { CertificateRole.Operator }, time);
        _listener = new MutualTlsListener("management", bind, serverCertificate, validator,
            new MutualTlsLimits(settings.MaxConnections, settings.HandshakeTimeout), Converse, log);
    }

    public IPEndPoint LocalEndpoint => _listener.LocalEndpoint;

    /// <summary>Connections being served now.</summary>
    public int OpenConnections => _listener.OpenConnections;

    private async Task Converse(SslStream tls, TlsPeer peer, CancellationToken stop)
    {
        var caller = new Principal.Operator(peer.CommonName);
        var reader = new BoundedLineReader(tls, _settings.MaxRequestSize);
        _log.Info("Management session of {0} from {1} (fingerprint {2})", caller.Who, peer.Address, Fingerprint.Short(peer.Fingerprint));
        while (!stop.IsCancellationRequested)
        {
            string? line;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                idle.CancelAfter(_settings.IdleTimeout);
                try
                {
                    line = await reader.ReadLineAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    _log.Info("Management session of {0} idle for {1}; closing it", caller.Who, _settings.IdleTimeout);
                    return;
                }
                catch (LineTooLongException e)
                {
                    _log.Warning("Management client {0} ({1}) sent {2}; closing the connection", caller.Who, peer.Address, e.Message);
                    await Write(tls, ControlResponse.Refused($"request too long (limit {_settings.MaxRequestSize} bytes)"), stop);
                    return;
                }
            }

            if (line is null)
            {
                return;
            }

            if (line.Length == 0)
            {
                continue;
            }

            ControlRequest? request;
            try
            {
                request = JsonSerializer.Deserialize<ControlRequest>(line, ControlJson.Options);
            }
            catch (JsonException e)
            {
                await Write(tls, ControlResponse.Refused($"not a control request: {e.Message}"), stop);
                continue;
            }

            if (request is null || string.IsNullOrEmpty(request.Command))
            {
                await Write(tls, ControlResponse.Refused("empty request"), stop);
                continue;
            }

            if (_handler.IsStreaming(request))
            {
                await Stream(tls, request, caller, stop);
                return;
            }

            await Write(tls, await _handler.HandleAsync(request, caller, stop), stop);
        }
    }

    /// <summary>Events until the client hangs up: a read that ends (or fails) is how we learn it.</summary>
    private async Task Stream(SslStream tls, ControlRequest request, Principal caller, CancellationToken stop)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var hangUp = WatchHangUp(tls, ended);
        try
        {
            await foreach (var item in _handler.StreamAsync(request, caller, ended.Token))
            {
                await Write(tls, item, ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client hung up or the node is stopping: the stream is over.
        }
        finally
        {
            await ended.CancelAsync();
            await hangUp;
        }
    }

    private static async Task WatchHangUp(Stream tls, CancellationTokenSource ended)
    {
        var sink = new byte[256];
        try
        {
            while (await tls.ReadAsync(sink, ended.Token) > 0)
            {
                // Anything sent during a stream is ignored; only its end matters.
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone.
        }

        if (!ended.IsCancellationRequested)
        {
            await ended.CancelAsync();
        }
    }

    private static async Task Write(Stream tls, ControlResponse response, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Serialize(response, ControlJson.Options) + "\n";
        await tls.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
        await tls.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
