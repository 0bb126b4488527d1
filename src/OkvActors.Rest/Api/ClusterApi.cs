using System.Text.Json.Nodes;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;

namespace OkvActors.Rest.Api;

/// <summary>
/// Nodes (registry and lifecycle), cluster status, replication lag, name conflicts and the audit log, for
/// operators, answered by the same <see cref="IControlHandler"/> okvctl's management listener uses; and
/// the failover list every caller may read.
/// </summary>
public static class ClusterApi
{
    private static readonly string[] LifecycleActions = ["disable", "enable", "remove", "force-remove"];

    public static void Map(IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/v1/nodes").WithTags("nodes").AddEndpointFilter(AccessApi.OperatorsOnly);
        nodes.MapGet("/", (HttpContext c, CancellationToken _) => Control(c, "node-list", RestProblems.NotAcknowledged));
        nodes.MapPost("/{name}/{action}", Lifecycle).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status404NotFound);

        var cluster = app.MapGroup("/v1/cluster").WithTags("cluster").AddEndpointFilter(AccessApi.OperatorsOnly);
        cluster.MapGet("/", Status);
        cluster.MapGet("/replication-lag", (HttpContext c, CancellationToken _) => Control(c, "replication-lag", RestProblems.NotAcknowledged));
        cluster.MapGet("/conflicts", (HttpContext c, CancellationToken _) => Control(c, "conflicts-list", RestProblems.NotAcknowledged));
        cluster.MapPost("/conflicts/resolve", ResolveConflict).Accepts<ResolveConflictRequest>("application/json");

        var audit = app.MapGroup("/v1/audit").WithTags("audit").AddEndpointFilter(AccessApi.OperatorsOnly);
        audit.MapGet("/", QueryAudit).Produces<AuditEntry[]>();
        audit.MapGet("/export", ExportAudit).Produces(StatusCodes.Status200OK, contentType: "application/jsonl");

        app.MapGet("/v1/failover", Failover).WithTags("endpoints").Produces<FailoverNode[]>();
    }

    private static IControlHandler Handler(HttpContext context) => context.RequestServices.GetRequiredService<IControlHandler>();

    private static NodeHost Node(HttpContext context) => context.RequestServices.GetRequiredService<NodeHost>();

    /// <summary>Runs a control command as the caller; its data is the answer, its refusal a problem of <paramref name="onRefusal"/>.</summary>
    private static async Task<IResult> Control(HttpContext context, string command, ProblemKind onRefusal, Dictionary<string, string>? args = null,
        Func<JsonNode, JsonNode>? shape = null)
    {
        var response = await Handler(context).HandleAsync(new ControlRequest(command, args), RestCaller.Of(context).Principal, context.RequestAborted);
        if (!response.Ok)
        {
            return TypedResults.Problem(RestProblems.ForControl(response, onRefusal));
        }

        var data = response.Data ?? new JsonObject { ["message"] = response.Message };
        return TypedResults.Json(shape is null ? data : shape(data), RestJson.Options);
    }

    private static Task<IResult> Lifecycle(HttpContext context, string name, string action, CancellationToken cancellationToken) =>
        LifecycleActions.Contains(action)
            ? Control(context, $"node-{action}", RestProblems.InvalidTransition, new() { ["name"] = name })
            : Task.FromResult(RestProblems.Problem(RestProblems.NotFound, $"no node action '{action}' ({string.Join(", ", LifecycleActions)})"));

    /// <summary>The `status` command's members, mode, leader and controller, with the members grouped by subgroup.</summary>
    private static Task<IResult> Status(HttpContext context, CancellationToken cancellationToken) => Control(context, "status", RestProblems.NotAcknowledged, shape: data =>
    {
        var subgroups = new JsonObject();
        foreach (var member in data["members"]!.AsArray())
        {
            var roles = member!["roles"]!.AsArray().Select(r => r!.GetValue<string>()).ToArray();
            var subgroup = roles.FirstOrDefault(r => r.StartsWith(FailoverList.SubgroupRolePrefix, StringComparison.Ordinal))?[FailoverList.SubgroupRolePrefix.Length..] ?? "";
            member["subgroup"] = subgroup;
            if (subgroups[subgroup] is not JsonArray list)
            {
                subgroups[subgroup] = list = new JsonArray();
            }

            list.Add(member["address"]!.GetValue<string>());
        }

        data["subgroups"] = subgroups;
        return data;
    });

    private static async Task<IResult> ResolveConflict(HttpContext context, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<ResolveConflictRequest>(context);
        if (string.IsNullOrWhiteSpace(request.Uid) || string.IsNullOrWhiteSpace(request.Name))
        {
            throw new RestInputException("'uid' and 'name' (the object's new name) are required");
        }

        return await Control(context, "conflicts-resolve", RestProblems.InvalidRequest, new() { ["uid"] = request.Uid, ["name"] = request.Name });
    }

    /// <summary>
    /// Entries from sequence <c>from</c> on, at most <c>limit</c>, optionally only those of one <c>who</c>,
    /// <c>operation</c> or <c>object</c>; <c>next</c> is where the following page starts.
    /// </summary>
    private static async Task<IResult> QueryAudit(HttpContext context, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var from = Math.Max(1, ObjectsApi.Number(query["from"], "from", 1));
        var limit = ObjectsApi.Number(query["limit"], "limit", ObjectsApi.DefaultPageSize);
        if (limit is < 1 or > ObjectsApi.MaxPageSize)
        {
            throw new RestInputException($"limit must be between 1 and {ObjectsApi.MaxPageSize}, not {limit}");
        }

        var (who, operation, uid) = (query["who"].FirstOrDefault(), query["operation"].FirstOrDefault(), query["object"].FirstOrDefault());
        var node = Node(context);
        var found = new List<AuditEntry>();
        var next = (long)from;
        while (found.Count < limit)
        {
            var answer = await node.AuditLog.Ask<object>(new ReadAudit(next, limit), node.Settings.AskTimeout, cancellationToken);
            if (answer is not AuditRead { Entries.Count: > 0 } page)
            {
                if (answer is AuditReadFailed failed)
                {
                    return RestProblems.Problem(RestProblems.Internal, $"the audit log could not be read: {failed.Reason}");
                }

                break;
            }

            foreach (var entry in page.Entries)
            {
                if (found.Count == limit)
                {
                    break;
                }

                next = entry.Sequence + 1;
                if ((who is null || entry.Who == who) && (operation is null || entry.Operation == operation) && (uid is null || entry.ObjectUid == uid))
                {
                    found.Add(entry);
                }
            }
        }

        return TypedResults.Ok(new { entries = found, next });
    }

    /// <summary>The whole log as JSON lines (one entry per line, the export format `okv audit export` writes), streamed page by page.</summary>
    private static async Task ExportAudit(HttpContext context, CancellationToken cancellationToken)
    {
        var node = Node(context);
        context.Response.ContentType = "application/jsonl; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{node.Manifest.Name}.jsonl\"";
        await AuditExport.WriteJsonLinesAsync(node.AuditLog, context.Response.Body, node.Settings.AskTimeout, cancellationToken: cancellationToken);
    }

    /// <summary>Every Up member's HTTPS and KMIP addresses, this node's subgroup first: where an endpoint fails over to.</summary>
    private static IResult Failover(HttpContext context, CancellationToken cancellationToken)
    {
        var node = Node(context);
        return TypedResults.Ok(FailoverList.Of(node.Cluster.State.Members, node.Manifest.Subgroup));
    }
}
