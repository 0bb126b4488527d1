using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace OkvActors.Rest;

/// <summary>How the REST API reads and writes JSON: camelCase names, enums as camelCase strings, bodies read with a clear refusal.</summary>
public static class RestJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions());

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        return options;
    }

    /// <summary>
    /// The request body as <typeparamref name="T"/>. Malformed JSON and a missing body are invalid-request;
    /// a body over the size limit surfaces as Kestrel's 413, which the problem middleware reports as too-large.
    /// </summary>
    public static async Task<T> Body<T>(HttpContext context) where T : class
    {
        if (context.Request.ContentLength == 0)
        {
            throw new RestInputException($"a JSON body is required ({typeof(T).Name})");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Options, context.RequestAborted)
                ?? throw new RestInputException($"the body must be a JSON object ({typeof(T).Name}), not null");
        }
        catch (JsonException e)
        {
            throw new RestInputException($"the body is not valid JSON for {typeof(T).Name}: {e.Message}");
        }
    }

    /// <summary>The body, or <paramref name="fallback"/> when the request has none.</summary>
    public static async Task<T> OptionalBody<T>(HttpContext context, T fallback) where T : class =>
        context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any() ? fallback : await Body<T>(context);

    public static byte[] Base64(string? value, string field)
    {
        if (value is null)
        {
            throw new RestInputException($"'{field}' is required (base64)");
        }

        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new RestInputException($"'{field}' is not valid base64");
        }
    }

    public static byte[]? OptionalBase64(string? value, string field) => value is null ? null : Base64(value, field);

    /// <summary>Parses an enum name as clients write it: any case, with or without '-' or '_' ("pre-active", "PreActive").</summary>
    public static TEnum Enum<TEnum>(string value, string field) where TEnum : struct, System.Enum
    {
        var plain = value.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        if (plain.Length > 0 && !char.IsAsciiDigit(plain[0]) && System.Enum.TryParse<TEnum>(plain, ignoreCase: true, out var parsed))
        {
            return parsed;
        }

        var names = string.Join(", ", System.Enum.GetNames<TEnum>().Select(JsonNamingPolicy.KebabCaseLower.ConvertName));
        throw new RestInputException($"'{value}' is not a valid {field} ({names})");
    }

    public static string Name<TEnum>(TEnum value) where TEnum : struct, System.Enum =>
        JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
