namespace OkvActors.Kmip.Protocol;

// KMIP enumeration values (OASIS KMIP 1.0–1.4 §9.1.3.2, KMIP 2.0 §11). Every enum is uint-backed and open, like the
// wire: a value we do not name still round-trips, and the server answers "not supported" rather than the codec
// refusing the message.

/// <summary>KMIP Operation (tag 0x42005C).</summary>
public enum Operation : uint
{
    Create = 0x01,
    CreateKeyPair = 0x02,
    Register = 0x03,
    ReKey = 0x04,
    DeriveKey = 0x05,
    Certify = 0x06,
    ReCertify = 0x07,
    Locate = 0x08,
    Check = 0x09,
    Get = 0x0A,
    GetAttributes = 0x0B,
    GetAttributeList = 0x0C,
    AddAttribute = 0x0D,
    ModifyAttribute = 0x0E,
    DeleteAttribute = 0x0F,
    ObtainLease = 0x10,
    GetUsageAllocation = 0x11,
    Activate = 0x12,
    Revoke = 0x13,
    Destroy = 0x14,
    Archive = 0x15,
    Recover = 0x16,
    Validate = 0x17,
    Query = 0x18,
    Cancel = 0x19,
    Poll = 0x1A,
    Notify = 0x1B,
    Put = 0x1C,
    ReKeyKeyPair = 0x1D,
    DiscoverVersions = 0x1E,
    Encrypt = 0x1F,
    Decrypt = 0x20,
    Sign = 0x21,
    SignatureVerify = 0x22,
    Mac = 0x23,
    MacVerify = 0x24,
    RngRetrieve = 0x25,
    RngSeed = 0x26,
    Hash = 0x27,
    CreateSplitKey = 0x28,
    JoinSplitKey = 0x29,
    Import = 0x2A,
    Export = 0x2B,
}

/// <summary>KMIP Result Status (tag 0x42007F).</summary>
public enum ResultStatus : uint
{
    Success = 0x00,
    OperationFailed = 0x01,
    OperationPending = 0x02,
    OperationUndone = 0x03,
}

/// <summary>KMIP Result Reason (tag 0x42007E): why a batch item failed.</summary>
public enum ResultReason : uint
{
    ItemNotFound = 0x01,
    ResponseTooLarge = 0x02,
    AuthenticationNotSuccessful = 0x03,
    InvalidMessage = 0x04,
    OperationNotSupported = 0x05,
    MissingData = 0x06,
    InvalidField = 0x07,
    FeatureNotSupported = 0x08,
    OperationCanceledByRequester = 0x09,
    CryptographicFailure = 0x0A,
    IllegalOperation = 0x0B,
    PermissionDenied = 0x0C,
    ObjectArchived = 0x0D,
    IndexOutOfBounds = 0x0E,
    ApplicationNamespaceNotSupported = 0x0F,
    KeyFormatTypeNotSupported = 0x10,
    KeyCompressionTypeNotSupported = 0x11,
    EncodingOptionError = 0x12,
    KeyValueNotPresent = 0x13,
    AttestationRequired = 0x14,
    AttestationFailed = 0x15,
    Sensitive = 0x16,
    NotExtractable = 0x17,
    ObjectAlreadyExists = 0x18,
    InvalidTicket = 0x19,
    UsageLimitExceeded = 0x1A,
    NumericRange = 0x1B,
    InvalidDataType = 0x1C,
    ReadOnlyAttribute = 0x1D,
    MultiValuedAttribute = 0x1E,
    UnsupportedAttribute = 0x1F,
    AttributeInstanceNotFound = 0x20,
    AttributeNotFound = 0x21,
    AttributeReadOnly = 0x22,
    AttributeSingleValued = 0x23,
    BadCryptographicParameters = 0x24,
    BadPassword = 0x25,
    CodecError = 0x26,
    IllegalObjectType = 0x28,
    IncompatibleCryptographicUsageMask = 0x29,
    InternalServerError = 0x2A,
    InvalidAsynchronousCorrelationValue = 0x2B,
    InvalidAttribute = 0x2C,
    InvalidAttributeValue = 0x2D,
    InvalidCorrelationValue = 0x2E,
    InvalidCsr = 0x2F,
    InvalidObjectType = 0x30,
    KeyWrapTypeNotSupported = 0x32,
    MissingInitializationVector = 0x34,
    NonUniqueNameAttribute = 0x35,
    ObjectDestroyed = 0x36,
    ObjectNotFound = 0x37,
    NotAuthorised = 0x39,
    ServerLimitExceeded = 0x3A,
    UnknownEnumeration = 0x3B,
    UnknownMessageExtension = 0x3C,
    UnknownTag = 0x3D,
    UnsupportedCryptographicParameters = 0x3E,
    UnsupportedProtocolVersion = 0x3F,
    WrappingObjectArchived = 0x40,
    WrappingObjectDestroyed = 0x41,
    WrappingObjectNotFound = 0x42,
    WrongKeyLifecycleState = 0x43,
    ProtectionStorageUnavailable = 0x44,
    Pkcs11CodecError = 0x45,
    Pkcs11InvalidFunction = 0x46,
    Pkcs11InvalidInterface = 0x47,
    GeneralFailure = 0x100,
}

/// <summary>KMIP Object Type (tag 0x420057).</summary>
public enum ObjectType : uint
{
    Certificate = 0x01,
    SymmetricKey = 0x02,
    PublicKey = 0x03,
    PrivateKey = 0x04,
    SplitKey = 0x05,
    Template = 0x06,
    SecretData = 0x07,
    OpaqueObject = 0x08,
    PgpKey = 0x09,
    CertificateRequest = 0x0A,
}

/// <summary>KMIP Cryptographic Algorithm (tag 0x420028).</summary>
public enum CryptographicAlgorithm : uint
{
    Des = 0x01,
    TripleDes = 0x02,
    Aes = 0x03,
    Rsa = 0x04,
    Dsa = 0x05,
    Ecdsa = 0x06,
    HmacSha1 = 0x07,
    HmacSha224 = 0x08,
    HmacSha256 = 0x09,
    HmacSha384 = 0x0A,
    HmacSha512 = 0x0B,
    HmacMd5 = 0x0C,
    Dh = 0x0D,
    Ecdh = 0x0E,
    Ecmqv = 0x0F,
    Blowfish = 0x10,
    Camellia = 0x11,
    Cast5 = 0x12,
    Idea = 0x13,
    Mars = 0x14,
    Rc2 = 0x15,
    Rc4 = 0x16,
    Rc5 = 0x17,
    Skipjack = 0x18,
    Twofish = 0x19,
    Ec = 0x1A,
}

/// <summary>KMIP Key Format Type (tag 0x420042).</summary>
public enum KeyFormatType : uint
{
    Raw = 0x01,
    Opaque = 0x02,
    Pkcs1 = 0x03,
    Pkcs8 = 0x04,
    X509 = 0x05,
    EcPrivateKey = 0x06,
    TransparentSymmetricKey = 0x07,
    TransparentDsaPrivateKey = 0x08,
    TransparentDsaPublicKey = 0x09,
    TransparentRsaPrivateKey = 0x0A,
    TransparentRsaPublicKey = 0x0B,
    TransparentDhPrivateKey = 0x0C,
    TransparentDhPublicKey = 0x0D,
    TransparentEcdsaPrivateKey = 0x0E,
    TransparentEcdsaPublicKey = 0x0F,
    TransparentEcdhPrivateKey = 0x10,
    TransparentEcdhPublicKey = 0x11,
    TransparentEcmqvPrivateKey = 0x12,
    TransparentEcmqvPublicKey = 0x13,
    TransparentEcPrivateKey = 0x14,
    TransparentEcPublicKey = 0x15,
    Pkcs12 = 0x16,
}

/// <summary>KMIP Name Type (tag 0x420054).</summary>
public enum NameType : uint
{
    UninterpretedTextString = 0x01,
    Uri = 0x02,
}

/// <summary>KMIP State (tag 0x42008D): the key lifecycle state.</summary>
public enum State : uint
{
    PreActive = 0x01,
    Active = 0x02,
    Deactivated = 0x03,
    Compromised = 0x04,
    Destroyed = 0x05,
    DestroyedCompromised = 0x06,
}

/// <summary>KMIP Revocation Reason Code (tag 0x420082).</summary>
public enum RevocationReasonCode : uint
{
    Unspecified = 0x01,
    KeyCompromise = 0x02,
    CaCompromise = 0x03,
    AffiliationChanged = 0x04,
    Superseded = 0x05,
    CessationOfOperation = 0x06,
    PrivilegeWithdrawn = 0x07,
}

/// <summary>KMIP Link Type (tag 0x42004B).</summary>
public enum LinkType : uint
{
    CertificateLink = 0x101,
    PublicKeyLink = 0x102,
    PrivateKeyLink = 0x103,
    DerivationBaseObjectLink = 0x104,
    DerivedKeyLink = 0x105,
    ReplacementObjectLink = 0x106,
    ReplacedObjectLink = 0x107,
    ParentLink = 0x108,
    ChildLink = 0x109,
    PreviousLink = 0x10A,
    NextLink = 0x10B,
    Pkcs12CertificateLink = 0x10C,
    Pkcs12PasswordLink = 0x10D,
    WrappingKeyLink = 0x10E,
}

/// <summary>KMIP Block Cipher Mode (tag 0x420011).</summary>
public enum BlockCipherMode : uint
{
    Cbc = 0x01,
    Ecb = 0x02,
    Pcbc = 0x03,
    Cfb = 0x04,
    Ofb = 0x05,
    Ctr = 0x06,
    Cmac = 0x07,
    Ccm = 0x08,
    Gcm = 0x09,
    CbcMac = 0x0A,
    Xts = 0x0B,
    AesKeyWrapPadding = 0x0C,
    NistKeyWrap = 0x0D,
    X9_102Aeskw = 0x0E,
    X9_102Tdkw = 0x0F,
    X9_102Akw1 = 0x10,
    X9_102Akw2 = 0x11,
    Aead = 0x12,
}

/// <summary>KMIP Padding Method (tag 0x42005F).</summary>
public enum PaddingMethod : uint
{
    None = 0x01,
    Oaep = 0x02,
    Pkcs5 = 0x03,
    Ssl3 = 0x04,
    Zeros = 0x05,
    AnsiX9_23 = 0x06,
    Iso10126 = 0x07,
    Pkcs1V1_5 = 0x08,
    X9_31 = 0x09,
    Pss = 0x0A,
}

/// <summary>KMIP Hashing Algorithm (tag 0x420038).</summary>
public enum HashingAlgorithm : uint
{
    Md2 = 0x01,
    Md4 = 0x02,
    Md5 = 0x03,
    Sha1 = 0x04,
    Sha224 = 0x05,
    Sha256 = 0x06,
    Sha384 = 0x07,
    Sha512 = 0x08,
    Ripemd160 = 0x09,
    Tiger = 0x0A,
    Whirlpool = 0x0B,
    Sha512_224 = 0x0C,
    Sha512_256 = 0x0D,
    Sha3_224 = 0x0E,
    Sha3_256 = 0x0F,
    Sha3_384 = 0x10,
    Sha3_512 = 0x11,
}

/// <summary>KMIP Digital Signature Algorithm (tag 0x4200AE).</summary>
public enum DigitalSignatureAlgorithm : uint
{
    Md2WithRsaEncryption = 0x01,
    Md5WithRsaEncryption = 0x02,
    Sha1WithRsaEncryption = 0x03,
    Sha224WithRsaEncryption = 0x04,
    Sha256WithRsaEncryption = 0x05,
    Sha384WithRsaEncryption = 0x06,
    Sha512WithRsaEncryption = 0x07,
    RsassaPss = 0x08,
    DsaWithSha1 = 0x09,
    DsaWithSha224 = 0x0A,
    DsaWithSha256 = 0x0B,
    EcdsaWithSha1 = 0x0C,
    EcdsaWithSha224 = 0x0D,
    EcdsaWithSha256 = 0x0E,
    EcdsaWithSha384 = 0x0F,
    EcdsaWithSha512 = 0x10,
}

/// <summary>KMIP Query Function (tag 0x420074).</summary>
public enum QueryFunction : uint
{
    QueryOperations = 0x01,
    QueryObjects = 0x02,
    QueryServerInformation = 0x03,
    QueryApplicationNamespaces = 0x04,
    QueryExtensionList = 0x05,
    QueryExtensionMap = 0x06,
    QueryAttestationTypes = 0x07,
    QueryRngs = 0x08,
    QueryValidations = 0x09,
    QueryProfiles = 0x0A,
    QueryCapabilities = 0x0B,
    QueryClientRegistrationMethods = 0x0C,
}

/// <summary>KMIP Cryptographic Usage Mask (tag 0x42002C): an Integer bit mask, not an Enumeration.</summary>
[Flags]
public enum CryptographicUsageMask : uint
{
    None = 0,
    Sign = 0x01,
    Verify = 0x02,
    Encrypt = 0x04,
    Decrypt = 0x08,
    WrapKey = 0x10,
    UnwrapKey = 0x20,
    Export = 0x40,
    MacGenerate = 0x80,
    MacVerify = 0x100,
    DeriveKey = 0x200,
    ContentCommitment = 0x400,
    KeyAgreement = 0x800,
    CertificateSign = 0x1000,
    CrlSign = 0x2000,
    GenerateCryptogram = 0x4000,
    ValidateCryptogram = 0x8000,
    TranslateEncrypt = 0x10000,
    TranslateDecrypt = 0x20000,
    TranslateWrap = 0x40000,
    TranslateUnwrap = 0x80000,
}
