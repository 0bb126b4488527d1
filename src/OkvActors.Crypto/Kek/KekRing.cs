namespace OkvActors.Crypto.Kek;

/// <summary>
/// The KEKs a node holds, by generation: the newest wraps every new blob at once, and each blob is
/// opened by the KEK it names (a legacy 0x01 blob by generation 1). A rotation adds a generation while
/// older ones still open what is not re-wrapped yet; retiring one zeroes it. Safe for concurrent use:
/// changes swap an immutable list, and a retired KEK is disposed only after it left the list.
/// </summary>
public sealed class KekRing : IDisposable
{
    private KeyEncryptionKey[] _keys;

    public KekRing(KeyEncryptionKey first) => _keys = [first];

    /// <summary>Every KEK held, oldest generation first.</summary>
    public IReadOnlyList<KeyEncryptionKey> Keys => Volatile.Read(ref _keys);

    /// <summary>The newest generation: what new material is wrapped under.</summary>
    public KeyEncryptionKey Current => Keys[^1];

    public byte[] Wrap(ReadOnlySpan<byte> material, string uid) => Current.Wrap(material, uid);

    /// <summary>Opens a blob with the KEK it names; returns the material in a pinned array the caller zeroes.</summary>
    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, string uid) => For(wrapped, uid).Unwrap(wrapped, uid);

    /// <summary>The KEK a blob names; <see cref="KeyUnwrapException"/> (<see cref="KeyUnwrapFailure.OtherKek"/>) when none here is it.</summary>
    public KeyEncryptionKey For(ReadOnlySpan<byte> wrapped, string uid)
    {
        var keys = Keys;
        var id = KeyEncryptionKey.KeyIdOf(wrapped);
        var generation = KeyEncryptionKey.GenerationOf(wrapped);
        foreach (var key in keys)
        {
            if (id is null ? key.Generation == generation : key.KeyId == id)
            {
                return key;
            }
        }

        // No blob header at all: let the newest KEK report the format problem.
        return generation == 0 ? keys[^1] : throw new KeyUnwrapException(uid, KeyUnwrapFailure.OtherKek);
    }

    /// <summary>Whether a blob is under an older KEK than the current one (it has to be re-wrapped before that KEK retires).</summary>
    public bool IsStale(ReadOnlySpan<byte> wrapped) => KeyEncryptionKey.GenerationOf(wrapped) < Current.Generation;

    /// <summary>Adds a newer generation (kept in order); a KEK already held is disposed and ignored.</summary>
    public void Add(KeyEncryptionKey kek)
    {
        while (true)
        {
            var keys = Volatile.Read(ref _keys);
            if (keys.Any(k => k.KeyId == kek.KeyId))
            {
                kek.Dispose();
                return;
            }

            var next = keys.Append(kek).OrderBy(k => k.Generation).ToArray();
            if (Interlocked.CompareExchange(ref _keys, next, keys) == keys)
            {
                return;
            }
        }
    }

    /// <summary>Puts <paramref name="kek"/> in place of the KEK with its id (a generation learnt later); the replaced one is zeroed.</summary>
    public void Replace(KeyEncryptionKey kek)
    {
        while (true)
        {
            var keys = Volatile.Read(ref _keys);
            var old = keys.FirstOrDefault(k => k.KeyId == kek.KeyId);
            if (old is null)
            {
                Add(kek);
                return;
            }

            var next = keys.Select(k => k == old ? kek : k).OrderBy(k => k.Generation).ToArray();
            if (Interlocked.CompareExchange(ref _keys, next, keys) == keys)
            {
                old.Dispose();
                return;
            }
        }
    }

    /// <summary>Drops and zeroes every KEK older than <paramref name="generation"/>; the current one always stays.</summary>
    public IReadOnlyList<string> RetireBefore(int generation)
    {
        while (true)
        {
            var keys = Volatile.Read(ref _keys);
            var retired = keys.Where(k => k.Generation < generation && k != keys[^1]).ToArray();
            if (retired.Length == 0)
            {
                return [];
            }

            if (Interlocked.CompareExchange(ref _keys, keys.Except(retired).ToArray(), keys) == keys)
            {
                foreach (var key in retired)
                {
                    key.Dispose();
                }

                return retired.Select(k => k.KeyId).ToArray();
            }
        }
    }

    public void Dispose()
    {
        foreach (var key in Keys)
        {
            key.Dispose();
        }
    }
}
