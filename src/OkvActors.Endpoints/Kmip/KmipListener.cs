using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;

namespace OkvActors.Endpoints.Kmip;

/// <summary>The client a connection authenticated as: its certificate's public-key fingerprint and subject.</summary>
public sealed record KmipPeer(string Fingerprint, string Subject, EndPoint? Address);

/// <summary>Turns one complete TTLV request message into the response bytes to send back.</summary>
public delegate Task<byte[]> KmipRequestHandler(ReadOnlyMemory<byte> request, KmipPeer peer, CancellationToken cancellationToken);

/// <summary>
/// TTLV over mutual TLS (1.2 or 1.3). The server presents the node certificate; a client must present
/// an endpoint certificate of the cluster CA with client usage that is not revoked, or the handshake
/// fails (the refusal is logged with its reason). Each message is framed by its 8-byte TTLV header:
/// the outer tag must be Request Message (0x420078) of type Structure and the length within
/// max-message-size, else the connection is closed before anything is allocated. Connections are
/// served concurrently and bounded in number, time to handshake, time to finish a message and idle
/// time, so one slow or hostile client cannot stall the others.
/// </summary>
public sealed class KmipListener : IAsyncDisposable
{
    public const int HeaderLength = 8;
    private static readonly byte[] RequestMessageTag = [0x42, 0x00, 0x78];
    private const byte StructureType = 0x01;

    private readonly KmipSettings _settings;
    private readonly X509Certificate2 _serverCertificate;
    private readonly PeerCertificateValidator _validator;
    private readonly KmipRequestHandler _handler;
    private readonly ILoggingAdapter _log;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots;
    private readonly Task _accepting;
    private int _open;

    public KmipListener(IPEndPoint bind, X509Certificate2 serverCertificate, X509Certificate2 clusterCa, RevocationList revocations,
        KmipSettings settings, KmipRequestHandler handler, ILoggingAdapter log, TimeProvider? time = null)
    {
        _settings = settings;
        _serverCertificate = serverCertificate;
        _validator = new PeerCertificateValidator(clusterCa, revocations, new HashSet<CertificateRole> { CertificateRole.Endpoint }, time);
        _handler = handler;
        _log = log;
        _slots = new SemaphoreSlim(settings.MaxConnections, settings.MaxConnections);
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
                _log.Warning("KMIP accept failed: {0}", e.Message);
                continue;
            }

            if (!_slots.Wait(0))
            {
                _log.Warning("KMIP connection from {0} refused: {1} connections already open", client.Client.RemoteEndPoint, _settings.MaxConnections);
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
            KmipPeer? peer = null;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(_settings.HandshakeTimeout);
                var options = new SslServerAuthenticationOptions
                {
                    ServerCertificate = _serverCertificate,
                    ClientCertificateRequired = true,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        if (certificate is null)
                        {
                            _log.Warning("Refused KMIP client {0}: it presented no certificate", remote);
                            return false;
                        }

                        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                        var verdict = _validator.Validate(presented);
                        if (!verdict.Accepted)
                        {
                            _log.Warning("Refused KMIP client {0} [{1}] fingerprint {2}: {3} ({4})",
                                remote, verdict.Subject, Fingerprint.Short(verdict.Fingerprint), verdict.Detail, verdict.Reason);
                            return false;
                        }

                        peer = new KmipPeer(verdict.Fingerprint, verdict.Subject, remote);
                        return true;
                    },
                };
                try
                {
                    await tls.AuthenticateAsServerAsync(options, handshake.Token);
                }
                catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
                {
                    if (peer is not null || e is OperationCanceledException)
                    {
                        _log.Info("KMIP handshake with {0} failed: {1}", remote, e.Message);
                    }

                    return;
                }
            }

            await Converse(tls, peer!);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The client went away mid-message; nothing to answer.
        }
        catch (Exception e)
        {
            _log.Error(e, "KMIP connection from {0} failed", remote);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            _slots.Release();
        }
    }

    /// <summary>Request after request on one connection, until the client closes it or breaks the framing.</summary>
    private async Task Converse(SslStream tls, KmipPeer peer)
    {
        var header = new byte[HeaderLength];
        while (!_stop.IsCancellationRequested)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            idle.CancelAfter(_settings.IdleTimeout);
            int first;
            try
            {
                first = await tls.ReadAsync(header.AsMemory(0, 1), idle.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (first == 0)
            {
                return;
            }

            using var reading = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            reading.CancelAfter(_settings.ReadTimeout);
            try
            {
                await tls.ReadExactlyAsync(header.AsMemory(1), reading.Token);
                var problem = FramingProblem(header, _settings.MaxMessageSize, out var length);
                if (problem is not null)
                {
                    _log.Warning("KMIP client {0} ({1}) sent {2}; closing the connection",
                        peer.Address, Fingerprint.Short(peer.Fingerprint), problem);
                    return;
                }

                var message = new byte[HeaderLength + length];
                header.CopyTo(message, 0);
                await tls.ReadExactlyAsync(message.AsMemory(HeaderLength), reading.Token);
                var response = await _handler(message, peer, _stop.Token);
                await tls.WriteAsync(response, _stop.Token);
                await tls.FlushAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                _log.Warning("KMIP client {0} did not complete a message within {1}; closing the connection", peer.Address,
                    _settings.ReadTimeout);
                return;
            }
            catch (EndOfStreamException)
            {
                _log.Warning("KMIP client {0} closed the connection in the middle of a message", peer.Address);
                return;
            }
        }
    }

    /// <summary>Why an 8-byte header cannot start a request we will read, or null (with the value length).</summary>
    public static string? FramingProblem(ReadOnlySpan<byte> header, int maxMessageSize, out int length)
    {
        length = 0;
        if (!header[..3].SequenceEqual(RequestMessageTag))
        {
            return $"tag 0x{header[0]:X2}{header[1]:X2}{header[2]:X2} where a Request Message (0x420078) must start";
        }

        if (header[3] != StructureType)
        {
            return $"item type 0x{header[3]:X2} where a Request Message must be a Structure (0x01)";
        }

        var declared = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (declared % 8 != 0)
        {
            return $"a structure length of {declared}, not a multiple of 8";
        }

        if (declared > (uint)(maxMessageSize - HeaderLength))
        {
            return $"a {declared}-byte message, over the {maxMessageSize}-byte limit";
        }

        length = (int)declared;
        return null;
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
