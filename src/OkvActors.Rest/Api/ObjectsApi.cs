using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OkvActors.Cluster.Hosting;
using OkvActors.Crypto.Keys;
using OkvActors.Crypto.Operations;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Rest.Api;

/// <summary>
/// Managed objects: create, register, metadata, material (where granted), locate with paging, lifecycle,
/// re-key and server-side cryptography. Everything runs in the caller's <see cref="VaultSession"/>, so an
/// endpoint sees and uses only what its wallets and grants allow, and every operation is audited.
/// </summary>
public static class ObjectsApi
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var objects = app.MapGroup("/v1/objects").WithTags("objects");
        objects.MapPost("/symmetric-keys", CreateSymmetricKey).Accepts<CreateSymmetricKeyRequest>("application/json")
            .Produces<ObjectView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        objects.MapPost("/key-pairs", CreateKeyPair).Accepts<CreateKeyPairRequest>("application/json").Produces<KeyPairView>(StatusCodes.Status201Created);
        objects.MapPost("/registered", Register).Accepts<RegisterRequest>("application/json").Produces<ObjectView>(StatusCodes.Status201Created);
        objects.MapGet("/", Locate).Produces<ObjectPage>();
        objects.MapGet("/{uid}", Get).Produces<ObjectView>().ProducesProblem(StatusCodes.Status404NotFound);
        objects.MapGet("/{uid}/material", Material).Produces<MaterialView>().ProducesProblem(StatusCodes.Status403Forbidden);
        objects.MapPost("/{uid}/activate", (HttpContext c, string uid) => Change(c, s => s.ActivateAsync(uid, c.RequestAborted)))
            .Produces<ObjectView>().ProducesProblem(StatusCodes.Status409Conflict);
        objects.MapPost("/{uid}/revoke", Revoke).Accepts<RevokeRequest>(isOptional: true, "application/json").Produces<ObjectView>();
        objects.MapPost("/{uid}/destroy", (HttpContext c, string uid) => Change(c, s => s.DestroyAsync(uid, c.RequestAborted)))
            .Produces<ObjectView>().ProducesProblem(StatusCodes.Status409Conflict);
        objects.MapPost("/{uid}/re-key", ReKey).Produces<ObjectView>(StatusCodes.Status201Created);
        objects.MapPost("/{uid}/encrypt", Encrypt).Accepts<EncryptRequest>("application/json").Produces<EncryptResult>();
        objects.MapPost("/{uid}/decrypt", Decrypt).Accepts<DecryptRequest>("application/json").Produces<DecryptResult>();
        objects.MapPost("/{uid}/sign", Sign).Accepts<SignRequest>("application/json").Produces<SignResult>();
        objects.MapPost("/{uid}/verify", Verify).Accepts<VerifyRequest>("application/json").Produces<VerifyResult>();
        objects.MapPost("/{uid}/mac", Mac).Accepts<MacRequest>("application/json").Produces<MacResult>();
        objects.MapPost("/{uid}/mac-verify", MacVerify).Accepts<MacVerifyRequest>("application/json").Produces<VerifyResult>();
    }

    internal static VaultSession Session(HttpContext context) =>
        context.RequestServices.GetRequiredService<NodeHost>().SessionFor(RestCaller.Of(context).Principal);

    /// <summary>A key-store reply as HTTP: its problem if it failed, else what <paramref name="success"/> makes of it.</summary>
    internal static IResult Reply(IVaultReply reply, Func<IVaultReply, IResult> success) =>
        RestProblems.For(reply) is { } problem ? TypedResults.Problem(problem) : success(reply);

    private static IResult Created(IVaultReply reply) => reply switch
    {
        ObjectStored stored => TypedResults.Created($"/v1/objects/{stored.Object.Uid}", ObjectView.Of(stored.Object)),
        KeyPairStored pair => TypedResults.Created($"/v1/objects/{pair.Private.Uid}", new KeyPairView(ObjectView.Of(pair.Private), ObjectView.Of(pair.Public))),
        _ => throw new InvalidOperationException($"unexpected key store reply {reply.GetType().Name}"),
    };

    private static IReadOnlyList<string> Names(IReadOnlyList<string>? names) =>
        names?.Any(string.IsNullOrWhiteSpace) == true ? throw new RestInputException("names must not be blank") : names ?? [];

    private static async Task<IResult> CreateSymmetricKey(HttpContext context, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<CreateSymmetricKeyRequest>(context);
        var algorithm = RestJson.Enum<SymmetricKeyAlgorithm>(request.Algorithm ?? "aes", "algorithm");
        var length = request.Length ?? 256;
        if (algorithm == SymmetricKeyAlgorithm.Aes && length is not (128 or 192 or 256))
        {
            throw new RestInputException($"AES keys are 128, 192 or 256 bits, not {length}");
        }

        if (length is < 8 or > 4096 || length % 8 != 0)
        {
            throw new RestInputException($"length must be a whole number of bytes between 8 and 4096 bits, not {length}");
        }

        return Reply(await Session(context).CreateSymmetricKeyAsync(algorithm, length, Names(request.Names), request.UsageMask, request.Wallet,
            cancellationToken), Created);
    }

    private static async Task<IResult> CreateKeyPair(HttpContext context, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<CreateKeyPairRequest>(context);
        var algorithm = RestJson.Enum<KeyPairAlgorithm>(request.Algorithm ?? "ec", "algorithm");
        var size = request.Size ?? (algorithm == KeyPairAlgorithm.Rsa ? 2048 : 256);
        if (algorithm == KeyPairAlgorithm.Rsa ? size is < 2048 or > 4096 || size % 8 != 0 : size is not (256 or 384 or 521))
        {
            throw new RestInputException(algorithm == KeyPairAlgorithm.Rsa
                ? $"RSA keys are 2048 to 4096 bits, not {size}"
                : $"EC keys are 256, 384 or 521 bits, not {size}");
        }

        return Reply(await Session(context).CreateKeyPairAsync(algorithm, size, Names(request.Names), request.Wallet, cancellationToken), Created);
    }

    private static async Task<IResult> Register(HttpContext context, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<RegisterRequest>(context);
        var type = RestJson.Enum<ObjectType>(request.Type ?? throw new RestInputException("'type' is required"), "type");
        var algorithm = Algorithms.Parse(request.Algorithm);
        var material = RestJson.Base64(request.Material, "material");
        try
        {
            if (material.Length == 0)
            {
                throw new RestInputException("'material' must not be empty");
            }

            var length = request.Length > 0 ? request.Length : material.Length * 8;
            return Reply(await Session(context).RegisterAsync(type, algorithm, length, material, Names(request.Names), request.UsageMask,
                request.Wallet, cancellationToken), Created);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private static async Task<IResult> Locate(HttpContext context, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var limit = Number(query["limit"], "limit", DefaultPageSize);
        var offset = Number(query["offset"], "offset", 0);
        if (limit is < 1 or > MaxPageSize)
        {
            throw new RestInputException($"limit must be between 1 and {MaxPageSize}, not {limit}");
        }

        var filter = new LocateFilter(
            Name: query["name"].FirstOrDefault(),
            Type: query["type"].FirstOrDefault() is { } type ? RestJson.Enum<ObjectType>(type, "type") : null,
            State: query["state"].FirstOrDefault() is { } state ? RestJson.Enum<LifecycleState>(state, "state") : null,
            Wallet: query["wallet"].FirstOrDefault(),
            Offset: offset,
            MaxItems: limit);
        var found = await Session(context).LocateAsync(filter, cancellationToken);
        return TypedResults.Ok(new ObjectPage(found.Select(ObjectView.Of).ToArray(), offset, limit, found.Count == limit ? offset + limit : null));
    }

    internal static int Number(string? text, string name, int fallback) =>
        text is null ? fallback
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
        : throw new RestInputException($"{name} must be a whole number, not '{text}'");

    private static async Task<IResult> Get(HttpContext context, string uid, CancellationToken cancellationToken) =>
        Reply(await Session(context).GetAsync(uid, ct: cancellationToken), r => TypedResults.Ok(ObjectView.Of(((ObjectFound)r).Object)));

    private static async Task<IResult> Material(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var reply = await Session(context).ExportAsync(uid, cancellationToken);
        if (reply is not MaterialExported exported)
        {
            return Reply(reply, _ => throw new InvalidOperationException($"unexpected key store reply {reply.GetType().Name}"));
        }

        try
        {
            return TypedResults.Ok(new MaterialView(uid, RestJson.Name(exported.Object.Type), Convert.ToBase64String(exported.Material)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(exported.Material);
        }
    }

    private static async Task<IResult> Change(HttpContext context, Func<VaultSession, Task<IVaultReply>> change) =>
        Reply(await change(Session(context)), r => TypedResults.Ok(ObjectView.Of(((ObjectStored)r).Object)));

    private static async Task<IResult> Revoke(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var request = await RestJson.OptionalBody(context, new RevokeRequest());
        var reason = RestJson.Enum<RevocationReason>(request.Reason ?? "cessation-of-operation", "reason");
        return await Change(context, s => s.RevokeAsync(uid, reason, cancellationToken));
    }

    private static async Task<IResult> ReKey(HttpContext context, string uid, CancellationToken cancellationToken) =>
        Reply(await Session(context).ReKeyAsync(uid, cancellationToken), Created);

    private static CipherOptions Cipher(string? mode, byte[]? iv, byte[]? associatedData) =>
        new(RestJson.Enum<SymmetricMode>(mode ?? "gcm", "mode"), iv, associatedData);

    private static async Task<IResult> Encrypt(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<EncryptRequest>(context);
        var data = RestJson.Base64(request.Data, "data");
        try
        {
            var options = Cipher(request.Mode, RestJson.OptionalBase64(request.Iv, "iv"), RestJson.OptionalBase64(request.AssociatedData, "associatedData"));
            return Reply(await Session(context).EncryptAsync(uid, data, options, cancellationToken), r =>
            {
                var encrypted = (Encrypted)r;
                return TypedResults.Ok(new EncryptResult(Convert.ToBase64String(encrypted.Ciphertext), Convert.ToBase64String(encrypted.Iv)));
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    private static async Task<IResult> Decrypt(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<DecryptRequest>(context);
        var options = Cipher(request.Mode, null, RestJson.OptionalBase64(request.AssociatedData, "associatedData"));
        var reply = await Session(context).DecryptAsync(uid, RestJson.Base64(request.Ciphertext, "ciphertext"), RestJson.Base64(request.Iv, "iv"),
            options, cancellationToken);
        return Reply(reply, r =>
        {
            var plaintext = ((Decrypted)r).Plaintext;
            try
            {
                return TypedResults.Ok(new DecryptResult(Convert.ToBase64String(plaintext)));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        });
    }

    private static async Task<IResult> Sign(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<SignRequest>(context);
        var algorithm = RestJson.Enum<SignatureAlgorithm>(request.Algorithm ?? throw new RestInputException("'algorithm' is required"), "algorithm");
        return Reply(await Session(context).SignAsync(uid, algorithm, RestJson.Base64(request.Data, "data"), cancellationToken),
            r => TypedResults.Ok(new SignResult(Convert.ToBase64String(((Signed)r).Signature))));
    }

    private static async Task<IResult> Verify(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<VerifyRequest>(context);
        var algorithm = RestJson.Enum<SignatureAlgorithm>(request.Algorithm ?? throw new RestInputException("'algorithm' is required"), "algorithm");
        return Reply(await Session(context).VerifyAsync(uid, algorithm, RestJson.Base64(request.Data, "data"), RestJson.Base64(request.Signature, "signature"),
            cancellationToken), r => TypedResults.Ok(new VerifyResult(((SignatureChecked)r).Valid)));
    }

    private static async Task<IResult> Mac(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<MacRequest>(context);
        return Reply(await Session(context).MacAsync(uid, RestJson.Base64(request.Data, "data"), cancellationToken),
            r => TypedResults.Ok(new MacResult(Convert.ToBase64String(((MacComputed)r).Mac))));
    }

    private static async Task<IResult> MacVerify(HttpContext context, string uid, CancellationToken cancellationToken)
    {
        var request = await RestJson.Body<MacVerifyRequest>(context);
        return Reply(await Session(context).MacVerifyAsync(uid, RestJson.Base64(request.Data, "data"), RestJson.Base64(request.Mac, "mac"),
            cancellationToken), r => TypedResults.Ok(new VerifyResult(((MacChecked)r).Valid)));
    }
}
