using System.Collections.Concurrent;
using System.Text;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using OkvActors.Crypto.Kek;
using OkvActors.Crypto.Keys;
using OkvActors.Crypto.Operations;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Audit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Access;

/// <summary>Access control and auditing through <see cref="VaultSession"/> on a real (one-node) replicated store.</summary>
public sealed class VaultSessionTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Fingerprint1 = "1111111111111111111111111111111111111111111111111111111111111111";
    private const string Fingerprint2 = "2222222222222222222222222222222222222222222222222222222222222222";

    private static readonly Config NodeConfig = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            okv.key-store.shard-count = 8
            """)
        .WithFallback(KeyStoreSettings.DefaultConfig())
        .WithFallback(DistributedData.DefaultConfig());

    private readonly KeyManager _keys;
    private readonly RecordingTrail _audit = new();

    public VaultSessionTests() : base(NodeConfig, "session")
    {
        var cluster = AkkaCluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        var settings = KeyStoreSettings.Create(Sys);
        var vault = new KeyVaultClient(Sys.ActorOf(KeyVaultActor.Props(settings)), settings);
        _keys = new KeyManager(vault, KeyEncryptionKey.Generate(), new HybridLogicalClock("node1"));
    }

    private VaultSession Operator => new(new Principal.Operator("test"), _keys, _audit);

    private VaultSession Endpoint(string name) => new(new Principal.Endpoint(name), _keys, _audit);

    private static T Is<T>(IVaultReply reply) where T : IVaultReply =>
        reply is T expected ? expected : throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {reply}");

    private async Task<string> Create(VaultSession session, string name, string? wallet = null) =>
        Is<ObjectStored>(await session.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, [name], wallet: wallet)).Object.Uid;

    private async Task SetUp()
    {
        Is<AccessChanged>(await Operator.CreateWalletAsync("payments", "card keys"));
        Is<AccessChanged>(await Operator.AddEndpointAsync("app1", Fingerprint1, null));
        Is<AccessChanged>(await Operator.AddEndpointAsync("app2", Fingerprint2, "payments"));
    }

    [Fact]
    public async Task An_endpoint_sees_its_own_objects_and_another_endpoints_objects_are_not_found()
    {
        await SetUp();
        var mine = await Create(Endpoint("app1"), "app1-key");

        var own = Is<ObjectFound>(await Endpoint("app1").GetAsync(mine));
        var other = await Endpoint("app2").GetAsync(mine);
        var otherEncrypt = await Endpoint("app2").EncryptAsync(mine, [1, 2, 3]);
        var otherDestroy = await Endpoint("app2").DestroyAsync(mine);

        Assert.Equal("@app1", own.Object.Wallet.Value);
        Assert.Equal(mine, Is<ObjectNotFound>(other).Uid);
        Is<ObjectNotFound>(otherEncrypt);
        Is<ObjectNotFound>(otherDestroy);
        Assert.Equal([mine], (await Endpoint("app1").LocateAsync(new LocateFilter())).Select(o => o.Uid));
        Assert.DoesNotContain(mine, (await Endpoint("app2").LocateAsync(new LocateFilter())).Select(o => o.Uid));
        Assert.Contains(mine, (await Operator.LocateAsync(new LocateFilter())).Select(o => o.Uid));
    }

    [Fact]
    public async Task Each_grant_level_allows_exactly_its_operations()
    {
        await SetUp();
        var uid = await Create(Operator, "shared", wallet: "payments");
        var app1 = Endpoint("app1");
        Is<ObjectNotFound>(await app1.GetAsync(uid));

        Is<AccessChanged>(await Operator.GrantAsync("app1", "payments", AccessLevel.ReadOnly));
        Is<ObjectFound>(await app1.GetAsync(uid));
        var activateReadOnly = Is<AccessDenied>(await app1.ActivateAsync(uid));
        Assert.Contains("needs ReadModify", activateReadOnly.Reason);
        Is<AccessDenied>(await app1.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, ["x"], wallet: "payments"));

        Is<AccessChanged>(await Operator.GrantAsync("app1", "payments", AccessLevel.ReadModify));
        Is<ObjectStored>(await app1.ActivateAsync(uid));
        var encrypted = Is<Encrypted>(await app1.EncryptAsync(uid, Encoding.UTF8.GetBytes("card 4111")));
        Is<ObjectStored>(await app1.RevokeAsync(uid, RevocationReason.CessationOfOperation));
        Assert.Contains("needs Manage", Is<AccessDenied>(await app1.DestroyAsync(uid)).Reason);

        Is<AccessChanged>(await Operator.GrantAsync("app1", "payments", AccessLevel.Manage));
        Is<ObjectStored>(await app1.DestroyAsync(uid));
        Assert.NotEmpty(encrypted.Ciphertext);
    }

    [Fact]
    public async Task A_revoked_grant_or_a_removed_endpoint_loses_access_at_once_on_this_node()
    {
        await SetUp();
        var uid = await Create(Operator, "shared", wallet: "payments");
        Is<ObjectStored>(await Operator.ActivateAsync(uid));
        Is<AccessChanged>(await Operator.GrantAsync("app1", "payments", AccessLevel.ReadOnly));
        Is<Encrypted>(await Endpoint("app1").EncryptAsync(uid, [1]));

        Is<AccessChanged>(await Operator.GrantAsync("app1", "payments", null));
        Is<ObjectNotFound>(await Endpoint("app1").EncryptAsync(uid, [1]));

        var own = await Create(Endpoint("app1"), "own");
        Is<AccessChanged>(await Operator.RemoveEndpointAsync("app1"));
        Assert.Contains("not registered", Is<AccessDenied>(await Endpoint("app1").GetAsync(own)).Reason);
        Assert.Empty(await Endpoint("app1").LocateAsync(new LocateFilter()));
    }

    [Fact]
    public async Task An_endpoint_with_a_default_wallet_creates_into_it_and_moves_need_manage_on_both_wallets()
    {
        await SetUp();
        var app2 = Endpoint("app2");
        Assert.Contains("no access to wallet 'payments'", Is<AccessDenied>(await app2.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 128, ["k"])).Reason);

        Is<AccessChanged>(await Operator.GrantAsync("app2", "payments", AccessLevel.ReadModify));
        var created = Is<ObjectStored>(await app2.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 128, ["k"])).Object;
        Assert.Equal("payments", created.Wallet.Value);
        Assert.Contains("needs Manage", Is<AccessDenied>(await app2.MoveAsync(created.Uid, "@app2")).Reason);

        Is<AccessChanged>(await Operator.GrantAsync("app2", "payments", AccessLevel.Manage));
        var moved = Is<ObjectStored>(await app2.MoveAsync(created.Uid, "@app2")).Object;
        Assert.Equal("@app2", moved.Wallet.Value);
        Is<ObjectNotFound>(await Endpoint("app1").GetAsync(created.Uid));
        Assert.Contains("no wallet '@app1'", Is<AccessDenied>(await app2.MoveAsync(created.Uid, "@app1")).Reason);
    }

    [Fact]
    public async Task Only_operators_change_access_and_bad_changes_are_refused_with_reasons()
    {
        await SetUp();

        Assert.Contains("operators do", Is<AccessDenied>(await Endpoint("app1").CreateWalletAsync("mine", "")).Reason);
        Assert.Contains("already exists", Is<AccessChangeRefused>(await Operator.CreateWalletAsync("payments", "")).Reason);
        Assert.Contains("not a valid wallet name", Is<AccessChangeRefused>(await Operator.CreateWalletAsync("@app1", "")).Reason);
        Assert.Contains("already identifies endpoint 'app1'", Is<AccessChangeRefused>(await Operator.AddEndpointAsync("app3", Fingerprint1, null)).Reason);
        Assert.Contains("not a certificate fingerprint", Is<AccessChangeRefused>(await Operator.AddEndpointAsync("app3", "abc", null)).Reason);
        Assert.Contains("no endpoint 'ghost'", Is<AccessChangeRefused>(await Operator.GrantAsync("ghost", "payments", AccessLevel.ReadOnly)).Reason);
        Assert.Contains("no wallet 'ghost'", Is<AccessChangeRefused>(await Operator.GrantAsync("app1", "ghost", AccessLevel.ReadOnly)).Reason);
        Assert.Contains("holds no grant", Is<AccessChangeRefused>(await Operator.GrantAsync("app1", "payments", null)).Reason);

        var uid = await Create(Operator, "held", wallet: "payments");
        Assert.Contains("still holds 1 object", Is<AccessChangeRefused>(await Operator.DeleteWalletAsync("payments")).Reason);
        Is<ObjectStored>(await Operator.DestroyAsync(uid));
        Assert.Contains("default wallet of endpoint 'app2'", Is<AccessChangeRefused>(await Operator.DeleteWalletAsync("payments")).Reason);
        Is<AccessChanged>(await Operator.RemoveEndpointAsync("app2"));
        Is<AccessChanged>(await Operator.GrantAsync("app1", "payments", AccessLevel.ReadOnly));
        Is<AccessChanged>(await Operator.DeleteWalletAsync("payments"));
        var registry = await Operator.AccessAsync();
        Assert.False(registry.WalletExists("payments"));
        Assert.Empty(registry.LiveGrants);
    }

    [Fact]
    public async Task Every_operation_is_audited_with_who_what_object_and_result_and_never_key_material()
    {
        await SetUp();
        var material = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
        var registered = Is<ObjectStored>(await Endpoint("app1").RegisterAsync(ObjectType.SymmetricKey, 3, 256, material, ["reg"]));
        var uid = registered.Object.Uid;
        Is<ObjectNotFound>(await Endpoint("app2").GetAsync(uid));
        Is<ObjectStored>(await Endpoint("app1").ActivateAsync(uid));
        Is<TransitionRefused>(await Endpoint("app1").DestroyAsync(uid));

        var events = _audit.Events.ToArray();
        Assert.Contains(events, e => e is { Who: "operator:test", Operation: "WalletCreate", Result: "success", Detail: "payments" });
        Assert.Contains(events, e => e.Who == "endpoint:app1" && e.Operation == "Register" && e.ObjectUid == uid && e.Result == "success");
        Assert.Contains(events, e => e.Who == "endpoint:app2" && e.Operation == "Get" && e.ObjectUid == uid && e.Result == "not-found");
        Assert.Contains(events, e => e.Who == "endpoint:app1" && e.Operation == "Destroy" && e.Result == "refused");
        var text = string.Join("\n", events.Select(e => e.ToString()));
        Assert.DoesNotContain("0123456789abcdef", text);
        Assert.DoesNotContain(Convert.ToBase64String(material), text);
    }

    [Fact]
    public async Task A_key_pair_is_linked_signs_with_the_private_key_and_verifies_with_the_public_key()
    {
        await SetUp();
        var app1 = Endpoint("app1");
        var pair = Is<KeyPairStored>(await app1.CreateKeyPairAsync(KeyPairAlgorithm.Ec, 256, ["signing"]));
        Assert.Equal(pair.Public.Uid, pair.Private.Links[LinkType.PublicKey].Value);
        Assert.Equal(pair.Private.Uid, pair.Public.Links[LinkType.PrivateKey].Value);
        Assert.Equal((ObjectType.PrivateKey, ObjectType.PublicKey), (pair.Private.Type, pair.Public.Type));
        Is<OperationRefused>(await app1.SignAsync(pair.Private.Uid, SignatureAlgorithm.EcdsaSha256, [1, 2, 3])); // Pre-Active
        Is<ObjectStored>(await app1.ActivateAsync(pair.Private.Uid));
        Is<ObjectStored>(await app1.ActivateAsync(pair.Public.Uid));
        var data = Encoding.UTF8.GetBytes("invoice 42");

        var signature = Is<Signed>(await app1.SignAsync(pair.Private.Uid, SignatureAlgorithm.EcdsaSha256, data)).Signature;

        Assert.True(Is<SignatureChecked>(await app1.VerifyAsync(pair.Public.Uid, SignatureAlgorithm.EcdsaSha256, data, signature)).Valid);
        Assert.False(Is<SignatureChecked>(await app1.VerifyAsync(pair.Public.Uid, SignatureAlgorithm.EcdsaSha256, [.. data, 0], signature)).Valid);
        Assert.Contains("is not a private key", Is<OperationRefused>(await app1.SignAsync(pair.Public.Uid, SignatureAlgorithm.EcdsaSha256, data)).Reason);
        Is<ObjectNotFound>(await Endpoint("app2").SignAsync(pair.Private.Uid, SignatureAlgorithm.EcdsaSha256, data));
        Assert.Contains(_audit.Events, e => e is { Operation: "SignatureVerify", Result: "mismatch", Who: "endpoint:app1" });
    }

    [Fact]
    public async Task An_hmac_key_computes_and_verifies_macs_and_other_keys_refuse_to()
    {
        var hmac = Is<ObjectStored>(await Operator.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.HmacSha384, 384, ["mac"])).Object.Uid;
        var aes = await Create(Operator, "aes");
        Is<ObjectStored>(await Operator.ActivateAsync(hmac));
        Is<ObjectStored>(await Operator.ActivateAsync(aes));
        var data = Encoding.UTF8.GetBytes("message");

        var mac = Is<MacComputed>(await Operator.MacAsync(hmac, data)).Mac;

        Assert.Equal(48, mac.Length);
        Assert.True(Is<MacChecked>(await Operator.MacVerifyAsync(hmac, data, mac)).Valid);
        mac[0] ^= 1;
        Assert.False(Is<MacChecked>(await Operator.MacVerifyAsync(hmac, data, mac)).Valid);
        Assert.Contains("is not an HMAC key", Is<OperationRefused>(await Operator.MacAsync(aes, data)).Reason);
        Assert.Contains("is not an AES key", Is<OperationRefused>(await Operator.EncryptAsync(hmac, data)).Reason);
    }

    [Fact]
    public async Task Re_key_makes_a_linked_replacement_in_the_same_wallet_and_the_old_key_still_decrypts_what_it_protected()
    {
        await SetUp();
        var old = await Create(Operator, "rotating", wallet: "payments");
        Is<ObjectStored>(await Operator.ActivateAsync(old));
        var sealedByOld = Is<Encrypted>(await Operator.EncryptAsync(old, [7, 7, 7]));
        Is<AccessChanged>(await Operator.GrantAsync("app1", "payments", AccessLevel.ReadOnly));
        Assert.Contains("needs ReadModify", Is<AccessDenied>(await Endpoint("app1").ReKeyAsync(old)).Reason);

        var replacement = Is<ObjectStored>(await Operator.ReKeyAsync(old)).Object;

        Assert.NotEqual(old, replacement.Uid);
        Assert.Equal(old, replacement.Links[LinkType.ReplacedObject].Value);
        Assert.Equal(["rotating"], replacement.Names.Value.ToArray());
        Assert.Equal("payments", replacement.Wallet.Value);
        Assert.Equal(LifecycleState.PreActive, replacement.State);
        var oldNow = Is<ObjectFound>(await Operator.GetAsync(old)).Object;
        Assert.Equal(replacement.Uid, oldNow.Links[LinkType.ReplacementObject].Value);
        Assert.Empty(oldNow.Names.Value);
        Assert.Empty(await Operator.ConflictsAsync());
        Assert.Equal([7, 7, 7], Is<Decrypted>(await Operator.DecryptAsync(old, sealedByOld.Ciphertext, sealedByOld.Iv)).Plaintext);
        Is<ObjectStored>(await Operator.ActivateAsync(replacement.Uid));
        Is<Encrypted>(await Operator.EncryptAsync(replacement.Uid, [1]));
        var pair = Is<KeyPairStored>(await Operator.CreateKeyPairAsync(KeyPairAlgorithm.Ec, 256, ["p"]));
        Assert.Contains("cannot be re-keyed", Is<OperationRefused>(await Operator.ReKeyAsync(pair.Private.Uid)).Reason);
        Is<ObjectNotFound>(await Operator.ReKeyAsync("no-such-uid"));
    }

    [Fact]
    public async Task Aes_cbc_with_pkcs5_padding_and_gcm_with_associated_data_round_trip_and_a_wrong_tag_is_refused()
    {
        var uid = await Create(Operator, "modes");
        Is<ObjectStored>(await Operator.ActivateAsync(uid));
        var data = Encoding.UTF8.GetBytes("seventeen bytes!!");
        var cbc = new CipherOptions(SymmetricMode.Cbc);
        var gcm = new CipherOptions(SymmetricMode.Gcm, AssociatedData: [1, 2]);

        var byCbc = Is<Encrypted>(await Operator.EncryptAsync(uid, data, cbc));
        var byGcm = Is<Encrypted>(await Operator.EncryptAsync(uid, data, gcm));

        Assert.Equal(32, byCbc.Ciphertext.Length); // padded to whole blocks
        Assert.Equal(16, byCbc.Iv.Length);
        Assert.Equal(data, Is<Decrypted>(await Operator.DecryptAsync(uid, byCbc.Ciphertext, byCbc.Iv, cbc)).Plaintext);
        Assert.Equal(data, Is<Decrypted>(await Operator.DecryptAsync(uid, byGcm.Ciphertext, byGcm.Iv, gcm)).Plaintext);
        Is<OperationRefused>(await Operator.DecryptAsync(uid, byGcm.Ciphertext, byGcm.Iv, gcm with { AssociatedData = [9] }));
    }

    private sealed class RecordingTrail : IAuditTrail
    {
        public ConcurrentQueue<AuditEvent> Events { get; } = new();

        public Task RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
        {
            Events.Enqueue(auditEvent);
            return Task.CompletedTask;
        }
    }
}
