using System.Net;
using Akka.Event;
using OkvActors.Cluster.Hosting;
using OkvActors.KeyStore.Access;
using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.Pki.Certificates;

namespace OkvActors.Endpoints.Kmip;

/// <summary>
/// KMIP on a node: the listener's requests, decoded, answered item by item as the endpoint whose
/// certificate the connection presented. A certificate the cluster CA issued but no operator registered
/// as an endpoint gets Permission Denied on every item; bytes that do not decode get one Invalid
/// Message response (the listener has already closed connections whose framing is broken). Every item
/// is answered, failures included (batch error continuation "continue"), so one bad item never hides
/// the outcome of the others.
/// </summary>
public sealed class KmipService : IAsyncDisposable
{
    private readonly NodeHost _node;
    private readonly KmipSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly KmipListener _listener;

    private KmipService(NodeHost node, KmipSettings settings, IPEndPoint bind)
    {
        _node = node;
        _settings = settings;
        _log = Logging.GetLogger(node.System, typeof(KmipService));
        _listener = new KmipListener(bind, node.Credentials.Certificate, node.Credentials.Ca, node.Revocations, settings, Handle, _log);
    }

    public IPEndPoint LocalEndpoint => _listener.LocalEndpoint;

    public static KmipService Start(NodeHost node, KmipSettings settings, IPEndPoint bind) => new(node, settings, bind);

    /// <summary>One request message in, one response message out.</summary>
    public async Task<byte[]> Handle(ReadOnlyMemory<byte> request, KmipPeer peer, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        RequestMessage message;
        try
        {
            message = KmipMessageCodec.DecodeRequest(request.Span, new TtlvLimits { MaxMessageSize = _settings.MaxMessageSize });
        }
        catch (TtlvFormatException e)
        {
            _log.Warning("KMIP client {0} sent an undecodable message: {1}", peer.Address, e.Message);
            return KmipMessageCodec.EncodeResponse(ResponseMessage.Failure(ProtocolVersion.V1_0, now, ResultReason.InvalidMessage, e.Message));
        }
        catch (KmipFieldException e)
        {
            return KmipMessageCodec.EncodeResponse(ResponseMessage.Failure(ProtocolVersion.V1_0, now, e.Reason, e.Message));
        }

        var version = message.Header.ProtocolVersion;
        var registry = await _node.Vault.AccessAsync(ct);
        var endpoint = registry.EndpointByFingerprint(peer.Fingerprint);
        var operations = endpoint is null
            ? null
            : new KmipOperations(_node.SessionFor(new Principal.Endpoint(endpoint.Name)), version, ServerInformation);
        var items = new List<ResponseBatchItem>(message.BatchItems.Count);
        try
        {
            foreach (var item in message.BatchItems)
            {
                items.Add(await Answer(item, operations, peer, ct));
            }

            var response = ResponseMessage.For(message, now, items);
            var bytes = KmipMessageCodec.EncodeResponse(response);
            if (message.Header.MaximumResponseSize is { } max && bytes.Length > max)
            {
                Array.Clear(bytes);
                bytes = KmipMessageCodec.EncodeResponse(ResponseMessage.For(message, now, message.BatchItems
                    .Select(i => ResponseBatchItem.Failure(i, ResultReason.ResponseTooLarge,
                        $"the response is larger than the requested maximum of {max} bytes")).ToArray()));
            }

            return bytes;
        }
        finally
        {
            operations?.ZeroSecrets();
        }
    }

    private async Task<ResponseBatchItem> Answer(RequestBatchItem item, KmipOperations? operations, KmipPeer peer, CancellationToken ct)
    {
        if (operations is null)
        {
            return ResponseBatchItem.Failure(item, ResultReason.PermissionDenied,
                $"certificate {Fingerprint.Short(peer.Fingerprint)} is not registered as an endpoint (an operator adds it with `okv endpoint add`)");
        }

        try
        {
            return ResponseBatchItem.Success(item, await operations.Execute(item, ct));
        }
        catch (KmipFailure e)
        {
            return ResponseBatchItem.Failure(item, e.Reason, e.Message);
        }
        catch (KmipFieldException e)
        {
            return ResponseBatchItem.Failure(item, e.Reason, e.Message);
        }
        catch (Exception e) when (e is InvalidCastException or InvalidOperationException or FormatException or ArgumentException)
        {
            return ResponseBatchItem.Failure(item, ResultReason.InvalidField, $"{item.Operation}: a field has the wrong type or value");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.Error(e, "KMIP {0} from {1} failed", item.Operation, peer.Address);
            return ResponseBatchItem.Failure(item, ResultReason.GeneralFailure, $"{item.Operation} could not be completed on this node");
        }
    }

    /// <summary>Every Up member's KMIP address, this node's subgroup first (where an endpoint should fail over to first).</summary>
    private IReadOnlyList<string> ServerInformation() =>
        FailoverList.Of(_node.Cluster.State.Members, _node.Manifest.Subgroup)
            .Where(n => n.Kmip is not null)
            .Select(n => $"node kmip={n.Kmip} subgroup={n.Subgroup}")
            .ToArray();

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
