using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Event;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;
using OkvActors.Endpoints.Tls;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;
using OkvActors.Rest.Api;
using OkvActors.Rest.WebConsole;

namespace OkvActors.Rest;

/// <summary>
/// The node's REST API: ASP.NET Core minimal APIs on Kestrel, HTTPS only (TLS 1.2/1.3, no plain-HTTP
/// listener at all), a client certificate required at the handshake and checked by the same
/// <see cref="ClientCertificateGate"/> the KMIP and management listeners use (cluster CA only, endpoint or
/// operator role, not revoked). Requests are limited in body size and, per certificate, in rate; every
/// key operation goes through the caller's <see cref="KeyStore.Access.VaultSession"/> (authorised and
/// audited as on KMIP) and node administration through the management listener's <see cref="IControlHandler"/>.
/// </summary>
public sealed class RestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RestServer(WebApplication app, IPEndPoint localEndpoint)
    {
        _app = app;
        LocalEndpoint = localEndpoint;
    }

    public IPEndPoint LocalEndpoint { get; }

    public static async Task<RestServer> StartAsync(NodeHost node, RestSettings settings, IPEndPoint bind, IControlHandler control)
    {
        var log = Logging.GetLogger(node.System, typeof(RestServer));
        var validator = new PeerCertificateValidator(node.Credentials.Ca, node.Revocations,
            new HashSet<CertificateRole> { CertificateRole.Endpoint, CertificateRole.Operator });
        var gate = new ClientCertificateGate("HTTPS", validator, log);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Only what is configured here: no appsettings, no ASPNETCORE_URLS, so nothing can add a plain-HTTP endpoint.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new AkkaLoggerProvider(log));
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodySize;
            kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections;
            kestrel.Listen(bind, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = node.Credentials.Certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    CheckCertificateRevocation = false,
                    HandshakeTimeout = settings.HandshakeTimeout,
                    // Replaces the OS-store chain check: the cluster CA alone decides (and the gate logs why it refuses).
                    ClientCertificateValidation = (certificate, _, _) => gate.Admit(certificate, null) is not null,
                });
            });
        });
        builder.Services.Configure<JsonOptions>(o => RestJson.Configure(o.SerializerOptions));
        // Problems ASP.NET Core writes itself (no route, wrong method or media type) get our types too.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c => RestProblems.Classify(c.ProblemDetails));
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OkvActors node REST API";
            document.Info.Description = "Key management and cluster administration over HTTPS with client certificates of the cluster CA. "
                + "Errors are RFC 9457 problem details whose type is one of: " + string.Join(", ", RestProblems.All.Select(k => k.Type));
            return Task.CompletedTask;
        }));
        builder.Services.AddSingleton(node);
        builder.Services.AddSingleton(control);
        builder.Services.AddSingleton(new RestIdentities(node));

        var app = builder.Build();
        app.Use((context, next) => Problems(context, next, log));
        app.UseStatusCodePages();
        var limiter = new IdentityRateLimiter(settings.RateLimitBurst, settings.RateLimitPerSecond, TimeProvider.System);
        app.Use((context, next) => RateLimit(context, next, limiter, settings));
        app.Use(Identify);
        app.MapOpenApi("/openapi/{documentName}.json");
        ObjectsApi.Map(app);
        AccessApi.Map(app);
        ClusterApi.Map(app);
        ConsoleApi.Map(app);

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        return new RestServer(app, new IPEndPoint(bind.Address, uri.Port));
    }

    /// <summary>Exceptions that mean bad input (or a node that cannot answer) become problem details, never a bare 500.</summary>
    private static async Task Problems(HttpContext context, RequestDelegate next, ILoggingAdapter log)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var problem = e switch
            {
                RestInputException input => RestProblems.Details(RestProblems.InvalidRequest, input.Message),
                Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge =>
                    RestProblems.Details(RestProblems.TooLarge, tooLarge.Message),
                Microsoft.AspNetCore.Http.BadHttpRequestException bad => RestProblems.Details(RestProblems.InvalidRequest, bad.Message),
                PkiException pki => RestProblems.Details(RestProblems.InvalidRequest, pki.Message),
                AskTimeoutException => RestProblems.Details(RestProblems.NotAcknowledged, "the node did not answer in time (is a majority of nodes up?)"),
                _ => null,
            };
            if (problem is null)
            {
                log.Error(e, "REST {0} {1} failed", context.Request.Method, context.Request.Path);
                problem = RestProblems.Details(RestProblems.Internal, "the node could not handle the request; its log says why");
            }

            context.Response.Clear();
            await TypedResults.Problem(problem).ExecuteAsync(context);
        }
    }

    /// <summary>Over its identity's rate: 429 (problem type rate-limited) with Retry-After in whole seconds.</summary>
    private static Task RateLimit(HttpContext context, RequestDelegate next, IdentityRateLimiter limiter, RestSettings settings)
    {
        if (limiter.TryAcquire(RestIdentities.FingerprintOf(context), out var retryAfter))
        {
            return next(context);
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return RestProblems.Problem(RestProblems.RateLimited,
                $"more than {settings.RateLimitBurst} requests at once or {settings.RateLimitPerSecond}/s from this certificate; retry after {seconds}s")
            .ExecuteAsync(context);
    }

    /// <summary>Decides who the request acts as; the OpenAPI document is open to any certificate the handshake accepted.</summary>
    private static async Task Identify(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/openapi"))
        {
            await next(context);
            return;
        }

        var (caller, refusal) = await context.RequestServices.GetRequiredService<RestIdentities>().Resolve(context);
        if (caller is null)
        {
            await RestProblems.Problem(RestProblems.Forbidden, refusal!).ExecuteAsync(context);
            return;
        }

        context.Features.Set(caller);
        await next(context);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>ASP.NET Core's own warnings and errors into the node's log; its chatter below that stays out.</summary>
internal sealed class AkkaLoggerProvider(ILoggingAdapter log) : ILoggerProvider
{
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new AkkaLogger(log, categoryName);

    public void Dispose()
    {
    }

    private sealed class AkkaLogger(ILoggingAdapter log, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = $"{category}: {formatter(state, exception)}";
            if (logLevel >= Microsoft.Extensions.Logging.LogLevel.Error)
            {
                log.Error(exception, "{0}", message);
            }
            else
            {
                log.Warning("{0}", message);
            }
        }
    }
}
