using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Rest;

/// <summary>
/// An HTTPS client of one node's REST API as a real client holds it: a client certificate (or none) and the
/// cluster CA as the only trusted root. A fresh connection pool per client, so a test sees its own handshake.
/// </summary>
public sealed class RestClient : IDisposable
{
    private RestClient(HttpClient http) => Http = http;

    public HttpClient Http { get; }

    public static RestClient For(LocalCluster cluster, string node, X509Certificate2? identity)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(cluster.File.Pki.Ca);
        var handler = new SocketsHttpHandler
        {
            // A request sent with Expect: 100-continue waits this long for the server's verdict before its body.
            Expect100ContinueTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificates = identity is null ? null : new X509CertificateCollection { identity },
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is not null && chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
        // A node of cluster.json by name, or any node by its HTTPS address (one a test added).
        var https = node.Contains(':', StringComparison.Ordinal) ? node : cluster.File.Nodes.Single(n => n.Name == node).Https;
        return new RestClient(new HttpClient(handler) { BaseAddress = new Uri($"https://{https}/"), Timeout = TimeSpan.FromSeconds(60) });
    }

    public static RestClient Endpoint(LocalCluster cluster, string node, string endpoint = "endpoint1")
    {
        var identity = cluster.File.Pki.Endpoints.Single(e => e.Name == endpoint);
        return For(cluster, node, FromPem(identity.Cert, identity.Key));
    }

    public static RestClient Operator(LocalCluster cluster, string node) =>
        For(cluster, node, FromPem(cluster.File.Pki.Operator.Cert, cluster.File.Pki.Operator.Key));

    public static X509Certificate2 FromPem(string certFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public static X509Certificate2 WithKey(X509Certificate2 certificate, ECDsa key)
    {
        using var withKey = certificate.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> Send(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> Get(string path) => Send(HttpMethod.Get, path);

    public Task<(HttpStatusCode Status, JsonNode? Body)> Post(string path, object? body = null) => Send(HttpMethod.Post, path, body);

    /// <summary>The body of a request that must succeed with <paramref name="expected"/>.</summary>
    public async Task<JsonNode> Ok(HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (status, json) = await Send(method, path, body);
        Assert.True(status == expected, $"{method} {path}: {(int)status} {json?.ToJsonString()}");
        return json ?? new JsonObject();
    }

    /// <summary>Sends raw bytes as the body (for malformed JSON, wrong media types, oversized bodies).</summary>
    /// <summary>
    /// Sends <paramref name="body"/> as is. With <paramref name="expectContinue"/> the body waits for the server's go-ahead,
    /// so a body the server refuses by its length alone (413) gets that answer instead of a connection closed mid-upload.
    /// </summary>
    public async Task<HttpResponseMessage> Raw(HttpMethod method, string path, byte[] body, string contentType = "application/json",
        bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Headers.ExpectContinue = expectContinue;
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return await Http.SendAsync(request);
    }

    public static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {type}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal($"urn:okv:problem:{type}", problem["type"]!.GetValue<string>());
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()), text);
    }

    public static void AssertProblem((HttpStatusCode Status, JsonNode? Body) answer, HttpStatusCode status, string type)
    {
        Assert.True(answer.Status == status, $"expected {(int)status} {type}, got {(int)answer.Status}: {answer.Body?.ToJsonString()}");
        Assert.Equal($"urn:okv:problem:{type}", answer.Body!["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(answer.Body["detail"]?.GetValue<string>()));
    }

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public void Dispose() => Http.Dispose();
}
