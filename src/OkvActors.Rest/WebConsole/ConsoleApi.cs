using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;
using OkvActors.Rest.Api;

namespace OkvActors.Rest.WebConsole;

/// <summary>
/// The operators' web console: a plain page served by the node (HTML, CSS and JS embedded in this
/// assembly; nothing from outside) that follows the cluster live through server-sent events, one
/// snapshot a second, as this node sees it. Its actions (node lifecycle, conflict resolution) call the
/// REST API with the same operator certificate.
/// </summary>
public static class ConsoleApi
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private const int RecentAuditEntries = 10;

    public static void Map(IEndpointRouteBuilder app)
    {
        var console = app.MapGroup("/console").WithTags("console").AddEndpointFilter(AccessApi.OperatorsOnly);
        console.MapGet("/", (HttpContext _, CancellationToken _) => Asset("index.html", "text/html; charset=utf-8")).ExcludeFromDescription();
        console.MapGet("/console.js", (HttpContext _, CancellationToken _) => Asset("console.js", "text/javascript; charset=utf-8")).ExcludeFromDescription();
        console.MapGet("/console.css", (HttpContext _, CancellationToken _) => Asset("console.css", "text/css; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/v1/console/events", Events).WithTags("console").AddEndpointFilter(AccessApi.OperatorsOnly)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
    }

    private static IResult Asset(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"console/{name}")
            ?? throw new InvalidOperationException($"console asset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return TypedResults.Text(reader.ReadToEnd(), contentType, Encoding.UTF8);
    }

    /// <summary>A snapshot of the cluster every second until the browser goes away.</summary>
    private static async Task Events(HttpContext context, CancellationToken cancellationToken)
    {
        var node = context.RequestServices.GetRequiredService<NodeHost>();
        var control = context.RequestServices.GetRequiredService<IControlHandler>();
        var caller = RestCaller.Of(context).Principal;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.FlushAsync(cancellationToken);

        // The registry comes from the controller, which may be on a node that just died: never wait for it.
        Task<ControlResponse>? registryAsk = null;
        JsonNode? registry = null;
        using var timer = new PeriodicTimer(Tick);
        try
        {
            do
            {
                registryAsk ??= control.HandleAsync(new ControlRequest("node-list"), caller, cancellationToken);
                if (registryAsk.IsCompleted)
                {
                    var answer = await registryAsk;
                    registry = answer.Ok ? answer.Data : registry;
                    registryAsk = null;
                }

                var status = await control.HandleAsync(new ControlRequest("status"), caller, cancellationToken);
                var snapshot = new JsonObject
                {
                    ["node"] = node.Manifest.Name,
                    ["at"] = DateTimeOffset.UtcNow,
                    ["status"] = status.Ok ? status.Data?.DeepClone() : null,
                    ["registry"] = registry?.DeepClone(),
                    ["audit"] = await RecentAudit(node, cancellationToken),
                };
                await context.Response.WriteAsync($"event: snapshot\ndata: {snapshot.ToJsonString(RestJson.Options)}\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // The browser closed the page.
        }
    }

    private static async Task<JsonNode?> RecentAudit(NodeHost node, CancellationToken cancellationToken)
    {
        try
        {
            var head = await node.AuditLog.Ask<AuditHead>(GetAuditHead.Instance, node.Settings.AskTimeout, cancellationToken);
            var from = Math.Max(1, head.Sequence - RecentAuditEntries + 1);
            var read = await node.AuditLog.Ask<object>(new ReadAudit(from, RecentAuditEntries), node.Settings.AskTimeout, cancellationToken);
            return read is AuditRead page ? JsonSerializer.SerializeToNode(page.Entries.Reverse().ToArray()) : null;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
