using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Messages;

/// <summary>
/// Request Header (0x420077). Authentication, if the client sent it, is not surfaced: this server authenticates by
/// the TLS client certificate, and KMIP lets a server ignore credentials it does not use.
/// </summary>
public sealed record RequestHeader(ProtocolVersion ProtocolVersion, int? MaximumResponseSize, int BatchCount)
{
    /// <summary>Whether the client asked for asynchronous processing (which the server may refuse).</summary>
    public bool AsynchronousIndicator { get; init; }

    /// <summary>Batch Error Continuation Option (1 Continue, 2 Stop, 3 Undo), when sent.</summary>
    public uint? BatchErrorContinuationOption { get; init; }
}

/// <summary>
/// One request Batch Item (0x42000F): the operation, the optional Unique Batch Item ID to echo back, and the payload
/// as a tree (always a structure; empty when the client sent none, e.g. a bare Discover Versions).
/// </summary>
public sealed record RequestBatchItem(Operation Operation, byte[]? UniqueBatchItemId, TtlvItem Payload);

/// <summary>Request Message (0x420078).</summary>
public sealed record RequestMessage(RequestHeader Header, IReadOnlyList<RequestBatchItem> BatchItems);
