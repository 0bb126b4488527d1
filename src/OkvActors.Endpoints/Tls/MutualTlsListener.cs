using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;

namespace OkvActors.Endpoints.Tls;

/// <summary>
/// A client that passed the handshake: its certificate's public-key fingerprint, subject and common
/// name (the name an operator's actions are audited under), and where it connected from.
/// </summary>
public sealed record TlsPeer(string Fingerprint, string Subject, string CommonName, CertificateRole Role, EndPoint? Address);

/// <summary>Serves one authenticated connection until it ends; the listener disposes the stream afterwards.</summary>
public delegate Task TlsConversation(SslStream stream, TlsPeer peer, CancellationToken stop);

/// <summary>The limits every mutual-TLS listener shares.</summary>
public sealed record MutualTlsLimits(int MaxConnections, TimeSpan HandshakeTimeout);

/// <summary>
/// Accepts TCP connections and completes a TLS 1.2/1.3 handshake that requires a client certificate of
/// the cluster CA with one of the allowed roles, not revoked; only then is the connection handed to the
/// protocol (KMIP for endpoints, management for operators). The refusal reason is logged, never sent:
/// the client only sees a failed handshake. Connections are bounded in number and in time to handshake,
/// so a flood or a client that stalls the handshake cannot exhaust the node.
/// </summary>
public sealed class MutualTlsListener : IAsyncDisposable
{
    private readonly string _name;
    private readonly X509Certificate2 _serverCertificate;
    private readonly ClientCertificateGate _gate;
    private readonly MutualTlsLimits _limits;
    private readonly TlsConversation _converse;
    private readonly ILoggingAdapter _log;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots;
    private readonly Task _accepting;
    private int _open;

    /// <param name="name">The protocol's name in log lines ("KMIP", "management").</param>
    public MutualTlsListener(string name, IPEndPoint bind, X509Certificate2 serverCertificate, PeerCertificateValidator validator,
        MutualTlsLimits limits, TlsConversation converse, ILoggingAdapter log)
    {
        _name = name;
        _serverCertificate = serverCertificate;
        _gate = new ClientCertificateGate(name, validator, log);
        _limits = limits;
        _converse = converse;
        _log = log;
        _slots = new SemaphoreSlim(limits.MaxConnections, limits.MaxConnections);
        _listener = new TcpListener(bind);
        _listener.Start();
        _accepting = AcceptLoop();
    }

    public IPEndPoint LocalEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections being served now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.Warning("{0} accept failed: {1}", _name, e.Message);
                continue;
            }

            if (!_slots.Wait(0))
            {
                _log.Warning("{0} connection from {1} refused: {2} connections already open", _name, client.Client.RemoteEndPoint,
                    _limits.MaxConnections);
                client.Dispose();
                continue;
            }

            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        Interlocked.Increment(ref _open);
        var remote = client.Client.RemoteEndPoint;
        try
        {
            using var _ = client;
            client.NoDelay = true;
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            var peer = await Handshake(tls, remote);
            if (peer is not null)
            {
                await _converse(tls, peer, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The client went away; nothing to answer.
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            _log.Error(e, "{0} connection from {1} failed", _name, remote);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            _slots.Release();
        }
    }

    /// <summary>The authenticated peer, or null when the handshake failed (the reason is logged).</summary>
    private async Task<TlsPeer?> Handshake(SslStream tls, EndPoint? remote)
    {
        TlsPeer? peer = null;
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        handshake.CancelAfter(_limits.HandshakeTimeout);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = _serverCertificate,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                peer = _gate.Admit(certificate, remote);
                return peer is not null;
            },
        };
        try
        {
            await tls.AuthenticateAsServerAsync(options, handshake.Token);
            return peer;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            if (peer is not null || e is OperationCanceledException)
            {
                _log.Info("{0} handshake with {1} failed: {2}", _name, remote, e.Message);
            }

            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }
}
