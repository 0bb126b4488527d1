using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Trust;
using OkvActors.Pki.Trust;

namespace OkvActors.Cluster.Controller;

/// <summary>
/// A candidate's side of admission: a short-lived, non-member ActorSystem that presents the new node
/// certificate over mutual TLS, asks the controller (through any seed's singleton proxy) and returns
/// its answer. The candidate joins the cluster only after this says <see cref="Admitted"/>.
/// </summary>
public static class AdmissionClient
{
    public static Task<IControllerReply> RequestAsync(
        string clusterName,
        IReadOnlyList<string> seeds,
        string host,
        X509Certificate2 certificate,
        X509Certificate2 ca,
        RequestAdmission request,
        Config operatorConfig,
        TimeProvider clock,
        TimeSpan timeout) =>
        // Stamp the clock as late as possible: the controller compares it with its own.
        AskController(clusterName, seeds, host, certificate, ca, () => request with { CandidateClock = clock.GetUtcNow() }, operatorConfig, timeout);

    /// <summary>
    /// Takes a failed join's admission back (<see cref="WithdrawAdmission"/>), signed with the node's key
    /// (<paramref name="certificate"/> carries it) at the moment it is sent. Throws when no controller answered.
    /// </summary>
    public static Task<IControllerReply> WithdrawAsync(
        string clusterName,
        IReadOnlyList<string> seeds,
        string host,
        X509Certificate2 certificate,
        X509Certificate2 ca,
        string name,
        string fingerprint,
        string reason,
        Config operatorConfig,
        TimeProvider clock,
        TimeSpan timeout)
    {
        return AskController(clusterName, seeds, host, certificate, ca, () =>
        {
            using var key = certificate.GetECDsaPrivateKey()
                ?? throw new InvalidOperationException("the node certificate carries no ECDSA private key to sign the withdrawal with");
            var at = clock.GetUtcNow();
            return new WithdrawAdmission(name, fingerprint, reason, at,
                key.SignData(WithdrawAdmission.SignedText(name, fingerprint, reason, at), System.Security.Cryptography.HashAlgorithmName.SHA256));
        }, operatorConfig, timeout);
    }

    private static async Task<IControllerReply> AskController(
        string clusterName,
        IReadOnlyList<string> seeds,
        string host,
        X509Certificate2 certificate,
        X509Certificate2 ca,
        Func<IControllerCommand> command,
        Config operatorConfig,
        TimeSpan timeout)
    {
        var config = ConfigurationFactory.ParseString($$"""
                akka.actor.provider = remote
                akka.remote.dot-netty.tcp { hostname = "{{host}}", port = 0 }
                akka.loglevel = WARNING
                """)
            .WithFallback(operatorConfig)
            .WithFallback(OkvClusterSettings.DefaultConfig());
        var setup = ActorSystemSetup.Create(
            BootstrapSetup.Create().WithConfig(config),
            RemotingTrust.CreateSetup(certificate, ca, new RevocationList(), TimeProvider.System));
        var system = ActorSystem.Create(clusterName, setup);
        try
        {
            var failures = new List<string>();
            var perSeed = seeds.Count == 0 ? timeout : TimeSpan.FromTicks(Math.Max(timeout.Ticks / seeds.Count, TimeSpan.FromSeconds(5).Ticks));
            foreach (var seed in seeds)
            {
                try
                {
                    return await system.ActorSelection($"{seed}/user/{NodeHost.ControllerProxyName}")
                        .Ask<IControllerReply>(command(), perSeed);
                }
                catch (AskTimeoutException)
                {
                    failures.Add(seed);
                }
            }

            throw new InvalidOperationException(
                $"no controller answered at {string.Join(", ", failures)}: is the cluster running, and does it accept this certificate (see the nodes' logs)?");
        }
        finally
        {
            await system.Terminate();
        }
    }
}
