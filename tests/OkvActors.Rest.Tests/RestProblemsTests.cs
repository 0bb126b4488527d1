using Microsoft.AspNetCore.Mvc;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Vault;
using Xunit;

namespace OkvActors.Rest.Tests;

public sealed class RestProblemsTests
{
    public static TheoryData<string, int, string> Failures => new()
    {
        { nameof(ObjectNotFound), 404, "not-found" },
        { nameof(AccessDenied), 403, "forbidden" },
        { "WriteRefused(restricted)", 503, "restricted-mode" },
        { nameof(WriteRefused), 503, "not-acknowledged" },
        { nameof(TransitionRefused), 409, "invalid-transition" },
        { "OperationRefused(WrongState)", 409, "invalid-transition" },
        { "OperationRefused(WrongKind)", 400, "invalid-request" },
        { "OperationRefused(BadInput)", 400, "invalid-request" },
        { nameof(AccessChangeRefused), 409, "conflict" },
    };

    private static IVaultReply Reply(string name) => name switch
    {
        nameof(ObjectNotFound) => new ObjectNotFound("uid-1"),
        nameof(AccessDenied) => new AccessDenied("uid-1", "read-only grant"),
        "WriteRefused(restricted)" => new WriteRefused("reaches 1 of 3 nodes", true),
        nameof(WriteRefused) => new WriteRefused("not confirmed in 5s", false),
        nameof(TransitionRefused) => new TransitionRefused("uid-1", "an Active object must be revoked first"),
        "OperationRefused(WrongState)" => new OperationRefused("uid-1", "Deactivated", RefusalKind.WrongState),
        "OperationRefused(WrongKind)" => new OperationRefused("uid-1", "not an AES key", RefusalKind.WrongKind),
        "OperationRefused(BadInput)" => new OperationRefused("uid-1", "tag mismatch"),
        nameof(AccessChangeRefused) => new AccessChangeRefused("wallet 'a' exists"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Every_failing_key_store_reply_is_a_problem_of_its_own_type(string reply, int status, string type)
    {
        var problem = RestProblems.For(Reply(reply));

        Assert.NotNull(problem);
        Assert.Equal(status, problem.Status);
        Assert.Equal($"urn:okv:problem:{type}", problem.Type);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
    }

    [Fact]
    public void Successful_replies_are_no_problem()
    {
        Assert.Null(RestProblems.For(new AccessChanged(AccessRegistry.Empty)));
        Assert.Null(RestProblems.For(new Encrypted("uid-1", [1], [2])));
        Assert.Null(RestProblems.For(new SignatureChecked("uid-1", Valid: false)));
    }

    [Fact]
    public void Every_problem_kind_has_its_own_type()
    {
        Assert.Equal(RestProblems.All.Count, RestProblems.All.Select(k => k.Type).Distinct().Count());
        Assert.All(RestProblems.All, k => Assert.StartsWith("urn:okv:problem:", k.Type));
    }

    [Theory]
    [InlineData(404, "not-found")]
    [InlineData(405, "invalid-request")]
    [InlineData(413, "too-large")]
    [InlineData(415, "invalid-request")]
    [InlineData(429, "rate-limited")]
    [InlineData(500, "internal")]
    public void Problems_the_framework_writes_get_our_type_for_their_status(int status, string type)
    {
        var problem = new ProblemDetails { Status = status, Type = "https://tools.ietf.org/html/rfc9110" };

        RestProblems.Classify(problem);

        Assert.Equal($"urn:okv:problem:{type}", problem.Type);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
    }

    [Fact]
    public void Our_own_problems_keep_their_type()
    {
        var problem = RestProblems.Details(RestProblems.RestrictedMode, "reaches 1 of 3 nodes");

        RestProblems.Classify(problem);

        Assert.Equal("urn:okv:problem:restricted-mode", problem.Type);
        Assert.Equal("reaches 1 of 3 nodes", problem.Detail);
    }
}
