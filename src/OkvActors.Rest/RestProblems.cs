using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OkvActors.Cluster.Control;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Rest;

/// <summary>A failure as a client can act on it: an RFC 9457 problem type, its HTTP status and title.</summary>
public sealed record ProblemKind(string Name, int Status, string Title)
{
    /// <summary>The problem's <c>type</c> URI: one per kind of failure, stable, for clients to switch on.</summary>
    public string Type => RestProblems.TypePrefix + Name;
}

/// <summary>
/// Every failure the REST API reports, as <c>application/problem+json</c> (RFC 9457) with a specific
/// <c>type</c> per kind. Key-store replies map to problems in one place (<see cref="For(IVaultReply)"/>),
/// so KMIP's and REST's notions of "not found" or "restricted" cannot drift apart within REST.
/// </summary>
public static class RestProblems
{
    public const string TypePrefix = "urn:okv:problem:";

    public static readonly ProblemKind NotFound = new("not-found", StatusCodes.Status404NotFound, "Not found");
    public static readonly ProblemKind Forbidden = new("forbidden", StatusCodes.Status403Forbidden, "Forbidden");
    public static readonly ProblemKind RestrictedMode = new("restricted-mode", StatusCodes.Status503ServiceUnavailable,
        "The node is in restricted (read-only) mode");
    public static readonly ProblemKind InvalidTransition = new("invalid-transition", StatusCodes.Status409Conflict,
        "The object's or node's state does not allow this");
    public static readonly ProblemKind Conflict = new("conflict", StatusCodes.Status409Conflict, "Conflict with the current state");
    public static readonly ProblemKind InvalidRequest = new("invalid-request", StatusCodes.Status400BadRequest, "Invalid request");
    public static readonly ProblemKind TooLarge = new("too-large", StatusCodes.Status413PayloadTooLarge, "Request body too large");
    public static readonly ProblemKind RateLimited = new("rate-limited", StatusCodes.Status429TooManyRequests, "Too many requests");
    public static readonly ProblemKind NotAcknowledged = new("not-acknowledged", StatusCodes.Status503ServiceUnavailable,
        "The write was not acknowledged by a majority");
    public static readonly ProblemKind Internal = new("internal", StatusCodes.Status500InternalServerError, "The node could not handle the request");

    public static readonly IReadOnlyList<ProblemKind> All =
        [NotFound, Forbidden, RestrictedMode, InvalidTransition, Conflict, InvalidRequest, TooLarge, RateLimited, NotAcknowledged, Internal];

    public static ProblemDetails Details(ProblemKind kind, string detail) => new()
    {
        Type = kind.Type,
        Title = kind.Title,
        Status = kind.Status,
        Detail = detail,
    };

    public static IResult Problem(ProblemKind kind, string detail) => TypedResults.Problem(Details(kind, detail));

    /// <summary>Gives a problem written by the framework (by status only) the type of our kind for that status.</summary>
    public static void Classify(ProblemDetails problem)
    {
        if (problem.Type?.StartsWith(TypePrefix, StringComparison.Ordinal) == true)
        {
            return;
        }

        var kind = problem.Status switch
        {
            StatusCodes.Status404NotFound => NotFound,
            StatusCodes.Status403Forbidden => Forbidden,
            StatusCodes.Status409Conflict => Conflict,
            StatusCodes.Status413PayloadTooLarge => TooLarge,
            StatusCodes.Status429TooManyRequests => RateLimited,
            >= 400 and < 500 => InvalidRequest,
            _ => Internal,
        };
        problem.Type = kind.Type;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => "no such resource (see /openapi/v1.json)",
            StatusCodes.Status405MethodNotAllowed => "this resource does not take that method (see /openapi/v1.json)",
            StatusCodes.Status415UnsupportedMediaType => "send the body as application/json",
            _ => problem.Title ?? kind.Title,
        };
    }

    /// <summary>
    /// The problem a key-store reply stands for, or null when the reply is a success. The one mapping from
    /// <see cref="IVaultReply"/> to HTTP.
    /// </summary>
    public static ProblemDetails? For(IVaultReply reply) => reply switch
    {
        ObjectNotFound missing => Details(NotFound, $"no object {missing.Uid} (or none this identity may see)"),
        AccessDenied denied => Details(Forbidden, denied.Reason),
        WriteRefused { Restricted: true } refused => Details(RestrictedMode, refused.Reason),
        WriteRefused refused => Details(NotAcknowledged, refused.Reason),
        TransitionRefused refused => Details(InvalidTransition, refused.Reason),
        OperationRefused { Kind: RefusalKind.WrongState } refused => Details(InvalidTransition, refused.Reason),
        OperationRefused refused => Details(InvalidRequest, refused.Reason),
        AccessChangeRefused refused => Details(Conflict, refused.Reason),
        _ => null,
    };

    /// <summary>A control command's refusal (node lifecycle, inspection) as a problem of <paramref name="kind"/>.</summary>
    public static ProblemDetails ForControl(ControlResponse refused, ProblemKind kind)
    {
        if (refused.Data?["restricted"]?.GetValue<bool>() == true)
        {
            return Details(RestrictedMode, refused.Message);
        }

        // ControlHandler answers in sentences; these are the ones that mean something is missing or slow.
        if (refused.Message.StartsWith("no node named", StringComparison.Ordinal) || refused.Message.StartsWith("no object", StringComparison.Ordinal))
        {
            return Details(NotFound, refused.Message);
        }

        if (refused.Message.Contains("did not answer in time", StringComparison.Ordinal))
        {
            return Details(NotAcknowledged, refused.Message);
        }

        return Details(kind, refused.Message);
    }
}

/// <summary>Bad input found while reading a request (a field missing or malformed); answered as invalid-request.</summary>
public sealed class RestInputException(string message) : Exception(message);
