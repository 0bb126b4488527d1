using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Payloads;

/// <summary>
/// Reads attributes from either form into one list, and writes them in the form of the negotiated version:
/// KMIP 1.x Template-Attribute { Attribute { Attribute Name, [Attribute Index], Attribute Value } … } or
/// KMIP 2.0 Attributes { &lt;attribute by its own tag&gt; …, Attribute { Vendor Identification, Attribute Name,
/// Attribute Value } … }. A 1.x custom attribute "x-foo" is the 2.0 vendor attribute ("x", "foo").
/// </summary>
public static class AttributeCodec
{
    /// <summary>The container tag for <paramref name="group"/> in <paramref name="version"/>.</summary>
    public static Tag ContainerTag(ProtocolVersion version, AttributeGroup group) => (version.UsesAttributesStructure, group) switch
    {
        (false, AttributeGroup.Main) => Tag.TemplateAttribute,
        (false, AttributeGroup.Common) => Tag.CommonTemplateAttribute,
        (false, AttributeGroup.PrivateKey) => Tag.PrivateKeyTemplateAttribute,
        (false, AttributeGroup.PublicKey) => Tag.PublicKeyTemplateAttribute,
        (true, AttributeGroup.Main) => Tag.Attributes,
        (true, AttributeGroup.Common) => Tag.CommonAttributes,
        (true, AttributeGroup.PrivateKey) => Tag.PrivateKeyAttributes,
        (true, AttributeGroup.PublicKey) => Tag.PublicKeyAttributes,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, null),
    };

    /// <summary>
    /// The attributes of <paramref name="group"/> in a request or response payload, whichever form the client used
    /// (clients do not always match the form to the version they announce). For <see cref="AttributeGroup.Main"/>,
    /// Attribute items placed directly in the payload (1.x Add/Modify Attribute, Get Attributes) count too.
    /// Empty when there are none.
    /// </summary>
    public static IReadOnlyList<KmipAttribute> ReadFromPayload(TtlvItem payload, AttributeGroup group = AttributeGroup.Main)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var container = payload.Find(ContainerTag(ProtocolVersion.V2_0, group)) ?? payload.Find(ContainerTag(ProtocolVersion.V1_0, group));
        if (container is not null)
        {
            return Read(container);
        }

        return group == AttributeGroup.Main ? Read(payload, onlyAttributeItems: true) : [];
    }

    /// <summary>The attributes in one container (Template-Attribute, Attributes, or their Common/Private/Public kin).</summary>
    public static IReadOnlyList<KmipAttribute> Read(TtlvItem container) => Read(container, onlyAttributeItems: false);

    private static List<KmipAttribute> Read(TtlvItem container, bool onlyAttributeItems)
    {
        container.AsStructure();
        // 2.0 containers hold attributes by their own tags; so do 2.0 Add/Modify/Delete Attribute's New and Current Attribute.
        var byTag = !onlyAttributeItems && container.Tag is Tag.Attributes or Tag.CommonAttributes or Tag.PrivateKeyAttributes or Tag.PublicKeyAttributes
            or Tag.NewAttribute or Tag.CurrentAttribute;
        var attributes = new List<KmipAttribute>();
        foreach (var child in container.Children)
        {
            if (child.Tag == Tag.Attribute)
            {
                attributes.Add(ReadAttributeItem(child.AsStructure()));
            }
            else if (byTag)
            {
                var name = AttributeNames.TryGetName(child.Tag, out var known) ? known : TagNames.Describe(child.Tag);
                attributes.Add(new KmipAttribute(name, child));
            }

            // In a 1.x Template-Attribute, Name children name server-side Templates (deprecated): not attributes.
        }

        return attributes;
    }

    /// <summary>One Attribute structure: a 1.x attribute, or a 2.0 vendor attribute (it has Vendor Identification).</summary>
    public static KmipAttribute ReadAttributeItem(TtlvItem attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        var name = attribute.RequiredText(Tag.AttributeName);
        if (attribute.TextOf(Tag.VendorIdentification) is { } vendor)
        {
            name = $"{vendor}-{name}";
        }

        var value = attribute.Required(Tag.AttributeValue);
        if (AttributeNames.TryGetTag(name, out var tag))
        {
            value = value.WithTag(tag);
        }

        return new KmipAttribute(name, value, attribute.Int32Of(Tag.AttributeIndex));
    }

    /// <summary>The container for <paramref name="group"/> holding <paramref name="attributes"/>, in the form of <paramref name="version"/>.</summary>
    public static TtlvItem Write(ProtocolVersion version, AttributeGroup group, IEnumerable<KmipAttribute> attributes) =>
        TtlvItem.Structure(ContainerTag(version, group), ToItems(version, attributes));

    /// <summary>
    /// Each attribute as a payload item of <paramref name="version"/>: a 1.x Attribute structure, or the 2.0 item
    /// under the attribute's tag (vendor attributes as Attribute structures). For payloads that list attributes
    /// without a container, such as a 1.x Get Attributes response.
    /// </summary>
    public static IEnumerable<TtlvItem> ToItems(ProtocolVersion version, IEnumerable<KmipAttribute> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        foreach (var attribute in attributes)
        {
            yield return ToItem(version, attribute);
        }
    }

    public static TtlvItem ToItem(ProtocolVersion version, KmipAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        if (!version.UsesAttributesStructure)
        {
            return TtlvItem.Structure(
                Tag.Attribute,
                TtlvItem.TextString(Tag.AttributeName, attribute.Name),
                attribute.Index is { } index ? TtlvItem.Integer(Tag.AttributeIndex, index) : null,
                attribute.Value.WithTag(Tag.AttributeValue));
        }

        if (AttributeNames.TryGetTag(attribute.Name, out var tag))
        {
            return attribute.Value.WithTag(tag);
        }

        var dash = attribute.Name.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || dash == attribute.Name.Length - 1)
        {
            throw new ArgumentException($"'{attribute.Name}' is neither a standard attribute nor a vendor attribute 'vendor-name'.", nameof(attribute));
        }

        return TtlvItem.Structure(
            Tag.Attribute,
            TtlvItem.TextString(Tag.VendorIdentification, attribute.Name[..dash]),
            TtlvItem.TextString(Tag.AttributeName, attribute.Name[(dash + 1)..]),
            attribute.Value.WithTag(Tag.AttributeValue));
    }

    /// <summary>A Name attribute value (Name Value, Name Type), the structure both versions use.</summary>
    public static TtlvItem NameValue(string name, NameType type = NameType.UninterpretedTextString) =>
        TtlvItem.Structure(Tag.Name, TtlvItem.TextString(Tag.NameValue, name), TtlvItem.Enumeration(Tag.NameType, type));

    /// <summary>A Link attribute value (Link Type, Linked Object Identifier).</summary>
    public static TtlvItem LinkValue(LinkType type, string linkedObjectId) =>
        TtlvItem.Structure(Tag.Link, TtlvItem.Enumeration(Tag.LinkType, type), TtlvItem.TextString(Tag.LinkedObjectIdentifier, linkedObjectId));
}
