namespace OkvActors.KeyStore.Model;

/// <summary>KMIP Object Type, with KMIP's enumeration values so the KMIP server maps 1:1.</summary>
public enum ObjectType
{
    Certificate = 1,
    SymmetricKey = 2,
    PublicKey = 3,
    PrivateKey = 4,
    SecretData = 7,
    OpaqueObject = 8,
}

/// <summary>KMIP State, with KMIP's enumeration values.</summary>
public enum LifecycleState
{
    PreActive = 1,
    Active = 2,
    Deactivated = 3,
    Compromised = 4,
    Destroyed = 5,
    DestroyedCompromised = 6,
}

/// <summary>KMIP Link Type values for the links the store keeps.</summary>
public enum LinkType
{
    Certificate = 0x101,
    PublicKey = 0x102,
    PrivateKey = 0x103,
    ReplacementObject = 0x106,
    ReplacedObject = 0x107,
}

/// <summary>KMIP Revocation Reason Code values.</summary>
public enum RevocationReason
{
    Unspecified = 1,
    KeyCompromise = 2,
    CaCompromise = 3,
    AffiliationChanged = 4,
    Superseded = 5,
    CessationOfOperation = 6,
    PrivilegeWithdrawn = 7,
}
