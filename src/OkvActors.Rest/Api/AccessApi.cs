using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Trust;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Vault;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;

namespace OkvActors.Rest.Api;

/// <summary>
/// Wallets, grants and endpoints, for operators. Changes go through the operator's <see cref="VaultSession"/>
/// (the same rules and audit as `okv wallet|grant|endpoint`); enrolment signs a CSR with the cluster CA,
/// unsealed for that one request by the recovery passphrase, as `okv issue` does.
/// </summary>
public static class AccessApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var wallets = app.MapGroup("/v1/wallets").WithTags("wallets and grants").AddEndpointFilter(OperatorsOnly);
        wallets.MapGet("/", ListWallets).Produces<WalletView[]>();
        wallets.MapPost("/", CreateWallet).Accepts<CreateWalletRequest>("application/json").Produces<WalletView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict);
        wallets.MapDelete("/{name}", DeleteWallet).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status409Conflict);

        var grants = app.MapGroup("/v1/grants").WithTags("wallets and grants").AddEndpointFilter(OperatorsOnly);
        grants.MapGet("/", ListGrants).Produces<GrantView[]>();
        grants.MapPut("/", SetGrant).Accepts<GrantRequest>("application/json").Produces<GrantView>();

        var endpoints = app.MapGroup("/v1/endpoints").WithTags("endpoints").AddEndpointFilter(OperatorsOnly);
        endpoints.MapGet("/", ListEndpoints).Produces<EndpointView[]>();
        endpoints.MapPost("/", Enrol).Accepts<EnrolRequest>("application/json").Produces<EnrolResult>(StatusCodes.Status201Created);
        endpoints.MapDelete("/{name}", RemoveEndpoint).Produces(StatusCodes.Status204NoContent);
        endpoints.MapPost("/{name}/revoke", RevokeEndpoint).Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>Administration is for operator certificates; an endpoint gets forbidden.</summary>
    internal static async ValueTask<object?> OperatorsOnly(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        RestCaller.Of(invocation.HttpContext).IsOperator
            ? await next(invocation)
            : RestProblems.Problem(RestProblems.Forbidden, "only operator certificates may administer the cluster");

    private static async Task<AccessRegistry> Registry(HttpContext context, CancellationToken cancellationToken) =>
        await context.RequestServices.GetRequiredService<NodeHost>().Vault.AccessAsync(cancellationToken);

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new RestInputException($"'{field}' is required") : value;

    private static async Task<IResult> ListWallets(HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok((await Registry(context, cancellationToken)).LiveWallets.Select(w => new WalletView(w.Name, w.Description)).ToArray());

    private static async Task<IResult> CreateWallet(HttpContext context, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<CreateWalletRequest>(context);
        var name = Required(request.Name, "name");
        return ObjectsApi.Reply(await ObjectsApi.Session(context).CreateWalletAsync(name, request.Description ?? "", cancellationToken),
            _ => TypedResults.Created($"/v1/wallets/{name}", new WalletView(name, request.Description ?? "")));
    }

    private static async Task<IResult> DeleteWallet(HttpContext context, string name, CancellationToken cancellationToken) =>
        ObjectsApi.Reply(await ObjectsApi.Session(context).DeleteWalletAsync(name, cancellationToken), _ => TypedResults.NoContent());

    private static string LevelName(AccessLevel level) => level switch
    {
        AccessLevel.ReadOnly => "read-only",
        AccessLevel.ReadModify => "read-modify",
        _ => "manage",
    };

    private static async Task<IResult> ListGrants(HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok((await Registry(context, cancellationToken)).LiveGrants.Select(g => new GrantView(g.Endpoint, g.Wallet, LevelName(g.Level))).ToArray());

    private static async Task<IResult> SetGrant(HttpContext context, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<GrantRequest>(context);
        var endpoint = Required(request.Endpoint, "endpoint");
        var wallet = Required(request.Wallet, "wallet");
        AccessLevel? level = Required(request.Level, "level") switch
        {
            "read-only" => AccessLevel.ReadOnly,
            "read-modify" => AccessLevel.ReadModify,
            "manage" => AccessLevel.Manage,
            "none" => null,
            var other => throw new RestInputException($"'{other}' is not an access level (read-only, read-modify, manage or none)"),
        };
        return ObjectsApi.Reply(await ObjectsApi.Session(context).GrantAsync(endpoint, wallet, level, cancellationToken),
            _ => TypedResults.Ok(new GrantView(endpoint, wallet, request.Level!)));
    }

    private static async Task<IResult> ListEndpoints(HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok((await Registry(context, cancellationToken)).LiveEndpoints.Select(e => new EndpointView(e.Name, e.Fingerprint, e.DefaultWallet)).ToArray());

    private static async Task<IResult> Enrol(HttpContext context, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<EnrolRequest>(context);
        var name = Required(request.Name, "name");
        if (!NodeNames.IsValid(name))
        {
            throw new RestInputException($"'{name}' is not a valid endpoint name");
        }

        if (request.ValidityDays is < 1 or > 3650)
        {
            throw new RestInputException($"validityDays must be between 1 and 3650, not {request.ValidityDays}");
        }

        var csr = SigningRequest.Parse(Required(request.Csr, "csr"));
        var node = context.RequestServices.GetRequiredService<NodeHost>();
        ClusterCa ca;
        try
        {
            ca = NodeCredentials.UnsealCa(node.Directory, Required(request.Passphrase, "passphrase"));
        }
        catch (WrongPassphraseException)
        {
            return RestProblems.Problem(RestProblems.Forbidden, "the recovery passphrase does not unseal the cluster CA");
        }

        string certificatePem;
        string caPem;
        using (ca)
        {
            using var certificate = ca.Issue(name, CertificateRole.Endpoint, csr.PublicKey, TimeSpan.FromDays(request.ValidityDays));
            certificatePem = Pem.Certificate(certificate);
            caPem = Pem.Certificate(ca.Certificate);
        }

        return ObjectsApi.Reply(await ObjectsApi.Session(context).AddEndpointAsync(name, csr.Fingerprint, request.DefaultWallet, cancellationToken),
            _ => TypedResults.Created($"/v1/endpoints/{name}", new EnrolResult(name, csr.Fingerprint, certificatePem, caPem)));
    }

    private static async Task<IResult> RemoveEndpoint(HttpContext context, string name, CancellationToken cancellationToken) =>
        ObjectsApi.Reply(await ObjectsApi.Session(context).RemoveEndpointAsync(name, cancellationToken), _ => TypedResults.NoContent());

    /// <summary>Revokes the endpoint's certificate on every node (through the controller); its next handshake anywhere is refused.</summary>
    private static async Task<IResult> RevokeEndpoint(HttpContext context, string name, CancellationToken cancellationToken)
    {
        if ((await Registry(context, cancellationToken)).Endpoint(name) is not { } endpoint)
        {
            return RestProblems.Problem(RestProblems.NotFound, $"no endpoint named '{name}'");
        }

        var control = context.RequestServices.GetRequiredService<IControlHandler>();
        var response = await control.HandleAsync(new ControlRequest("certificate-revoke", new() { ["fingerprint"] = endpoint.Fingerprint, ["name"] = name }),
            RestCaller.Of(context).Principal, cancellationToken);
        return response.Ok ? TypedResults.NoContent() : TypedResults.Problem(RestProblems.ForControl(response, RestProblems.Conflict));
    }
}
