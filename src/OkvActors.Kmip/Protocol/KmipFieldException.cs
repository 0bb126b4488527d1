namespace OkvActors.Kmip.Protocol;

/// <summary>
/// A well-formed TTLV message whose content is not what the operation needs: a required field is missing, a field
/// has the wrong item type, a value is out of range. <see cref="Reason"/> is the KMIP Result Reason the server puts
/// in the failed batch item. The message names fields by their spec names and never quotes values.
/// </summary>
public sealed class KmipFieldException(ResultReason reason, Tag? field, string message) : Exception(message)
{
    public ResultReason Reason { get; } = reason;

    /// <summary>The field at fault, when there is one.</summary>
    public Tag? Field { get; } = field;

    internal static KmipFieldException Missing(Tag field, Tag parent) =>
        new(ResultReason.InvalidField, field, $"Required field '{TagNames.Describe(field)}' is missing from '{TagNames.Describe(parent)}'.");
}
