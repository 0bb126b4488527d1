using OkvActors.KeyStore.Access;

namespace OkvActors.Cluster.Control;

/// <summary>
/// Runs control commands whatever carried them: the local unix socket (the caller is the local
/// operator) or the mutual-TLS management listener (the caller is the operator certificate's name).
/// The transport only frames requests and answers; who may ask was decided before the request arrived.
/// </summary>
public interface IControlHandler
{
    /// <summary>True for commands that answer with a stream of events (<see cref="StreamAsync"/>).</summary>
    bool IsStreaming(ControlRequest request);

    /// <summary>One answer; failures are refusals with a sentence, never exceptions.</summary>
    Task<ControlResponse> HandleAsync(ControlRequest request, Principal caller, CancellationToken cancellationToken = default);

    /// <summary>Events until <paramref name="cancellationToken"/> ends the stream (the caller hung up).</summary>
    IAsyncEnumerable<ControlResponse> StreamAsync(ControlRequest request, Principal caller, CancellationToken cancellationToken);
}
