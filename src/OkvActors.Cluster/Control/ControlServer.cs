using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Akka.Event;
using OkvActors.Cluster.Hosting;
using OkvActors.KeyStore.Access;

namespace OkvActors.Cluster.Control;

/// <summary>
/// The node's local administration socket (control.sock in its data directory, owner-only). The
/// `okv` verbs that act on a running node (admit, node lifecycle, status) talk to it: one JSON request
/// line, one JSON answer line (a streaming command answers line after line until the caller hangs up).
/// The commands themselves are the <see cref="IControlHandler"/>'s, shared with the management listener.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>Whoever holds the node's data directory (the socket is owner-only).</summary>
    public static readonly Principal LocalOperator = new Principal.Operator("local");

    private readonly NodeHost _node;
    private readonly IControlHandler _handler;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ILoggingAdapter _log;

    private ControlServer(NodeHost node, IControlHandler handler)
    {
        _node = node;
        _handler = handler;
        _log = Logging.GetLogger(node.System, typeof(ControlServer));
        var path = node.Directory.ControlSocket;
        File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        _listener.Listen(16);
        _loop = AcceptLoop();
    }

    public static ControlServer Start(NodeHost node, IControlHandler handler) => new(node, handler);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Serve(connection);
        }
    }

    private async Task Serve(Socket connection)
    {
        using var _ = connection;
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        try
        {
            ControlRequest? request;
            try
            {
                var line = await reader.ReadLineAsync(_stop.Token);
                request = line is null ? null : JsonSerializer.Deserialize<ControlRequest>(line, ControlJson.Options);
            }
            catch (JsonException e)
            {
                await Write(stream, ControlResponse.Refused(e.Message));
                return;
            }

            if (request is null)
            {
                await Write(stream, ControlResponse.Refused("empty request"));
            }
            else if (_handler.IsStreaming(request))
            {
                await foreach (var item in _handler.StreamAsync(request, LocalOperator, _stop.Token))
                {
                    await Write(stream, item);
                }
            }
            else
            {
                await Write(stream, await _handler.HandleAsync(request, LocalOperator, _stop.Token));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The caller hung up (the way a stream ends) or the node is stopping.
        }
        catch (Exception e)
        {
            _log.Error(e, "Control connection failed");
        }
    }

    private async Task Write(Stream stream, ControlResponse response)
    {
        var answer = JsonSerializer.Serialize(response, ControlJson.Options) + "\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(answer), _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        File.Delete(_node.Directory.ControlSocket);
        _stop.Dispose();
    }
}
