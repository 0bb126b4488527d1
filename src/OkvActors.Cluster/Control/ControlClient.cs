using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace OkvActors.Cluster.Control;

/// <summary>Sends one request to a running node's control socket and reads its answer.</summary>
public static class ControlClient
{
    public static async Task<ControlResponse> SendAsync(string socketPath, ControlRequest request, TimeSpan timeout)
    {
        if (!File.Exists(socketPath))
        {
            throw new ControlException($"no running node at {Path.GetDirectoryName(socketPath)} (no control socket); start it with `okv run`");
        }

        using var cts = new CancellationTokenSource(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var line = JsonSerializer.Serialize(request, ControlJson.Options) + "\n";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line), cts.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var answer = await reader.ReadLineAsync(cts.Token)
                ?? throw new ControlException("the node closed the control connection without an answer");
            return JsonSerializer.Deserialize<ControlResponse>(answer, ControlJson.Options)
                ?? throw new ControlException("empty answer from the node");
        }
        catch (SocketException e)
        {
            throw new ControlException($"the node at {Path.GetDirectoryName(socketPath)} is not answering ({e.SocketErrorCode}); is `okv run` running?");
        }
        catch (OperationCanceledException)
        {
            throw new ControlException($"the node did not answer '{request.Command}' within {timeout.TotalSeconds:0}s");
        }
    }
}
