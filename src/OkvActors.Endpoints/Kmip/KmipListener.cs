using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using OkvActors.Endpoints.Tls;
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
    private readonly KmipRequestHandler _handler;
    private readonly ILoggingAdapter _log;
    private readonly MutualTlsListener _listener;

    public KmipListener(IPEndPoint bind, X509Certificate2 serverCertificate, X509Certificate2 clusterCa, RevocationList revocations,
        KmipSettings settings, KmipRequestHandler handler, ILoggingAdapter log, TimeProvider? time = null)
    {
        _settings = settings;
        _handler = handler;
        _log = log;
        var validator = new PeerCertificateValidator(clusterCa, revocations, new HashSet<CertificateRole> { CertificateRole.Endpoint }, time);
        _listener = new MutualTlsListener("KMIP", bind, serverCertificate, validator,
            new MutualTlsLimits(settings.MaxConnections, settings.HandshakeTimeout),
            (tls, peer, stop) => Converse(tls, new KmipPeer(peer.Fingerprint, peer.Subject, peer.Address), stop), log);
    }

    public IPEndPoint LocalEndpoint => _listener.LocalEndpoint;

    /// <summary>Connections being served now.</summary>
    public int OpenConnections => _listener.OpenConnections;

    /// <summary>Request after request on one connection, until the client closes it or breaks the framing.</summary>
    private async Task Converse(SslStream tls, KmipPeer peer, CancellationToken stop)
    {
        var header = new byte[HeaderLength];
        while (!stop.IsCancellationRequested)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
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

            using var reading = CancellationTokenSource.CreateLinkedTokenSource(stop);
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
                var response = await _handler(message, peer, stop);
                await tls.WriteAsync(response, stop);
                await tls.FlushAsync(stop);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
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

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
