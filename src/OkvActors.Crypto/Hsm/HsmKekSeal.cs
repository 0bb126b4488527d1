using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using OkvActors.Crypto.Kek;

namespace OkvActors.Crypto.Hsm;

/// <summary>
/// Seals the cluster KEK under an AES-256 key that lives inside an HSM (PKCS#11) and never leaves it,
/// so a copy of a node's disk alone no longer yields the KEK: opening it needs the token and its PIN.
/// Sealing is CKM_AES_GCM on the token with a random 96-bit IV, a 128-bit tag and fixed associated data,
/// so a blob sealed by another key (another token) or altered in any bit is refused.
/// Blob layout: version (0x01) | IV (12) | ciphertext (32) | tag (16).
/// One logged-in read-write session per instance; calls are serialised (a PKCS#11 session runs one
/// operation at a time). Dispose closes the session and releases the module.
/// </summary>
public sealed class HsmKekSeal : IDisposable
{
    public const byte FormatVersion = 0x01;
    public const int IvLength = 12;
    public const int TagLength = 16;

    /// <summary>The length of every sealed KEK: version, IV, the 32-byte KEK and the tag.</summary>
    public const int BlobLength = 1 + IvLength + KeyEncryptionKey.KeyLength + TagLength;

    /// <summary>Binds blobs to this use, so a ciphertext the same HSM key made for anything else does not open as a KEK.</summary>
    private static readonly byte[] AssociatedData = "okv-kek/v1"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly Pkcs11Module _module;
    private readonly ISession _session;
    private IObjectHandle? _key;
    private bool _disposed;

    private HsmKekSeal(HsmOptions options, Pkcs11Module module, ISession session)
    {
        Options = options;
        _module = module;
        _session = session;
    }

    public HsmOptions Options { get; }

    /// <summary>
    /// Loads the module, finds the token by label and logs in with the user PIN. The PIN is a separate
    /// argument, never part of <see cref="HsmOptions"/>, and appears in no message.
    /// </summary>
    public static HsmKekSeal Open(HsmOptions options, string pin)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (string.IsNullOrEmpty(pin))
        {
            throw new HsmException(HsmFailure.PinRefused, $"no PIN for HSM token '{options.Token}'");
        }

        var module = Pkcs11Module.Acquire(options.Module);
        ISession? session = null;
        try
        {
            var slot = FindSlot(module.Library, options);
            session = Call(options, () => slot.OpenSession(SessionType.ReadWrite));
            Login(session, options, pin);
            return new HsmKekSeal(options, module, session);
        }
        catch
        {
            session?.Dispose();
            module.Release();
            throw;
        }
    }

    /// <summary>Finds the sealing key, generating it inside the token if absent; true if it was created now.</summary>
    public bool EnsureKey()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_key is not null || (_key = FindKey()) is not null)
            {
                return false;
            }

            _key = GenerateKey();
            return true;
        }
    }

    /// <summary>Seals a 32-byte KEK (creating the HSM key on first use). The result holds no KEK bytes in the clear.</summary>
    public byte[] Seal(ReadOnlySpan<byte> kek)
    {
        if (kek.Length != KeyEncryptionKey.KeyLength)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidKey,
                $"the cluster KEK is {KeyEncryptionKey.KeyLength} bytes (AES-256), not {kek.Length}");
        }

        EnsureKey();
        var plain = SecretBytes.Copy(kek);
        try
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                var iv = RandomNumberGenerator.GetBytes(IvLength);
                var sealedBytes = Call(Options, () =>
                {
                    using var parameters = _session.Factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvLength * 8, AssociatedData, TagLength * 8);
                    var mechanism = _session.Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                    return _session.Encrypt(mechanism, _key!, plain);
                });
                if (sealedBytes.Length != KeyEncryptionKey.KeyLength + TagLength)
                {
                    throw new HsmException(HsmFailure.DeviceError,
                        $"HSM token '{Options.Token}' returned {sealedBytes.Length} bytes for CKM_AES_GCM, not {KeyEncryptionKey.KeyLength + TagLength}");
                }

                var blob = new byte[BlobLength];
                blob[0] = FormatVersion;
                iv.CopyTo(blob, 1);
                sealedBytes.CopyTo(blob, 1 + IvLength);
                return blob;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>Opens a blob from <see cref="Seal"/>; the KEK comes back in a pinned array the caller zeroes.</summary>
    public byte[] Unseal(ReadOnlySpan<byte> blob)
    {
        if (blob.Length != BlobLength || blob[0] != FormatVersion)
        {
            throw Refused($"it is not a KEK sealed by an HSM (expected {BlobLength} bytes starting with version {FormatVersion})");
        }

        var iv = blob.Slice(1, IvLength).ToArray();
        var sealedBytes = blob[(1 + IvLength)..].ToArray();
        lock (_gate)
        {
            ThrowIfDisposed();
            var key = _key ??= FindKey() ?? throw new HsmException(HsmFailure.KeyNotFound,
                $"HSM token '{Options.Token}' holds no key labelled '{Options.KeyLabel}'");
            byte[] plain;
            try
            {
                using var parameters = _session.Factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvLength * 8, AssociatedData, TagLength * 8);
                var mechanism = _session.Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                plain = _session.Decrypt(mechanism, key, sealedBytes);
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE
                                                or CKR.CKR_GENERAL_ERROR or CKR.CKR_FUNCTION_FAILED)
            {
                throw Refused("another HSM key sealed it, or it was altered", e);
            }
            catch (Pkcs11Exception e)
            {
                throw Failed(Options, e);
            }

            try
            {
                if (plain.Length != KeyEncryptionKey.KeyLength)
                {
                    throw Refused($"it opened to {plain.Length} bytes, not a {KeyEncryptionKey.KeyLength}-byte KEK");
                }

                return SecretBytes.Copy(plain);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }
    }

    /// <summary>Closes the session (which ends its login) and releases the module.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        try
        {
            _session.Dispose();
        }
        finally
        {
            _module.Release();
        }
    }

    private static ISlot FindSlot(IPkcs11Library library, HsmOptions options)
    {
        var slots = Call(options, () => library.GetSlotList(SlotsType.WithTokenPresent));
        var matches = slots.Where(s => Call(options, s.GetTokenInfo).Label.Trim() == options.Token).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new HsmException(HsmFailure.TokenNotFound,
                $"no HSM token labelled '{options.Token}' in {options.Module}"),
            _ => throw new HsmException(HsmFailure.TokenNotFound,
                $"{matches.Count} HSM tokens are labelled '{options.Token}' in {options.Module}; give each token a unique label"),
        };
    }

    private static void Login(ISession session, HsmOptions options, string pin)
    {
        var pinBytes = Encoding.UTF8.GetBytes(pin);
        try
        {
            session.Login(CKU.CKU_USER, pinBytes);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Login state is per process and token: another session of this process already unlocked it.
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE
                                            or CKR.CKR_PIN_EXPIRED or CKR.CKR_PIN_LOCKED)
        {
            var why = e.RV == CKR.CKR_PIN_LOCKED ? " (the PIN is locked)" : "";
            throw new HsmException(HsmFailure.PinRefused, $"the HSM refused the PIN for token '{options.Token}'{why}", e);
        }
        catch (Pkcs11Exception e)
        {
            throw Failed(options, e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pinBytes);
        }
    }

    private IObjectHandle? FindKey()
    {
        var factory = _session.Factories.ObjectAttributeFactory;
        var found = Call(Options, () => _session.FindAllObjects(
        [
            factory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            factory.Create(CKA.CKA_LABEL, Options.KeyLabel),
        ]));
        if (found.Count == 0)
        {
            return null;
        }

        if (found.Count > 1)
        {
            throw new HsmException(HsmFailure.KeyNotFound,
                $"HSM token '{Options.Token}' holds {found.Count} keys labelled '{Options.KeyLabel}'; it must be exactly one");
        }

        // Only a non-extractable AES key that may encrypt and decrypt keeps the KEK's root inside the HSM.
        var attributes = Call(Options, () => _session.GetAttributeValue(found[0],
            [CKA.CKA_KEY_TYPE, CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE, CKA.CKA_ENCRYPT, CKA.CKA_DECRYPT]));
        var suitable = attributes[0].GetValueAsUlong() == (ulong)CKK.CKK_AES
                       && !attributes[1].GetValueAsBool() && attributes[2].GetValueAsBool()
                       && attributes[3].GetValueAsBool() && attributes[4].GetValueAsBool();
        if (!suitable)
        {
            throw new HsmException(HsmFailure.KeyUnsuitable,
                $"the key labelled '{Options.KeyLabel}' on HSM token '{Options.Token}' is not a sensitive, non-extractable AES key that may encrypt and decrypt");
        }

        return found[0];
    }

    private IObjectHandle GenerateKey()
    {
        var factory = _session.Factories.ObjectAttributeFactory;
        List<IObjectAttribute> template =
        [
            factory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            factory.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            factory.Create(CKA.CKA_VALUE_LEN, (ulong)KeyEncryptionKey.KeyLength),
            factory.Create(CKA.CKA_LABEL, Options.KeyLabel),
            factory.Create(CKA.CKA_TOKEN, true),
            factory.Create(CKA.CKA_PRIVATE, true),
            factory.Create(CKA.CKA_SENSITIVE, true),
            factory.Create(CKA.CKA_EXTRACTABLE, false),
            factory.Create(CKA.CKA_ENCRYPT, true),
            factory.Create(CKA.CKA_DECRYPT, true),
            factory.Create(CKA.CKA_WRAP, false),
            factory.Create(CKA.CKA_UNWRAP, false),
            factory.Create(CKA.CKA_SIGN, false),
            factory.Create(CKA.CKA_VERIFY, false),
            factory.Create(CKA.CKA_DERIVE, false),
        ];
        return Call(Options, () => _session.GenerateKey(_session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN), template));
    }

    private HsmException Refused(string why, Exception? inner = null) =>
        new(HsmFailure.BlobRefused,
            $"the HSM key '{Options.KeyLabel}' on token '{Options.Token}' did not open the sealed KEK: {why}", inner);

    private static T Call<T>(HsmOptions options, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Pkcs11Exception e)
        {
            throw Failed(options, e);
        }
    }

    private static HsmException Failed(HsmOptions options, Pkcs11Exception e) => e.RV switch
    {
        CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_DEVICE_REMOVED or CKR.CKR_SLOT_ID_INVALID => new HsmException(HsmFailure.TokenNotFound,
            $"HSM token '{options.Token}' is gone ({e.Method} returned {e.RV})", e),
        CKR.CKR_USER_NOT_LOGGED_IN => new HsmException(HsmFailure.PinRefused,
            $"HSM token '{options.Token}' is not logged in ({e.Method} returned {e.RV})", e),
        _ => new HsmException(HsmFailure.DeviceError,
            $"HSM token '{options.Token}' failed: {e.Method} returned {e.RV}", e),
    };

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
