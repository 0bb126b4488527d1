using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using OkvActors.Crypto.Hsm;
using Xunit;

namespace OkvActors.Crypto.Tests.Hsm;

/// <summary>
/// The HSM seal of the cluster KEK against a real SoftHSM2 token: round trip, refusals with one-line
/// messages that carry no secret, and the HSM key's own protections (sensitive, non-extractable).
/// Each test uses its own key label, so tests never see each other's keys.
/// </summary>
[Collection(SoftHsmCollection.Name)]
public sealed class HsmKekSealTests(SoftHsm hsm)
{
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);
    private readonly string _keyLabel = $"kek-{Guid.NewGuid():N}"[..16];

    private HsmOptions Options(string token = SoftHsm.TokenA, string? keyLabel = null) =>
        new(SoftHsm.Module, token, keyLabel ?? _keyLabel);

    private byte[] SealOn(string token)
    {
        using var seal = HsmKekSeal.Open(Options(token), SoftHsm.Pin);
        return seal.Seal(_kek);
    }

    [SkippableFact]
    public void Unseal_returns_the_kek_that_Seal_sealed_in_a_later_session()
    {
        SoftHsm.SkipUnlessAvailable();
        Assert.NotNull(hsm);
        var blob = SealOn(SoftHsm.TokenA);

        using var seal = HsmKekSeal.Open(Options(), SoftHsm.Pin);

        Assert.Equal(HsmKekSeal.BlobLength, blob.Length);
        Assert.Equal(HsmKekSeal.FormatVersion, blob[0]);
        Assert.Equal(_kek, seal.Unseal(blob));
    }

    [SkippableFact]
    public void Every_seal_is_a_different_blob_because_the_iv_is_random()
    {
        SoftHsm.SkipUnlessAvailable();
        using var seal = HsmKekSeal.Open(Options(), SoftHsm.Pin);

        var blobs = Enumerable.Range(0, 5).Select(_ => Convert.ToHexString(seal.Seal(_kek))).ToList();

        Assert.Equal(5, blobs.Distinct().Count());
        Assert.Equal(5, blobs.Select(b => b.Substring(2, HsmKekSeal.IvLength * 2)).Distinct().Count());
    }

    [SkippableFact]
    public void EnsureKey_creates_the_key_once_and_then_finds_it()
    {
        SoftHsm.SkipUnlessAvailable();
        using (var first = HsmKekSeal.Open(Options(), SoftHsm.Pin))
        {
            Assert.True(first.EnsureKey());
            Assert.False(first.EnsureKey());
        }

        using var second = HsmKekSeal.Open(Options(), SoftHsm.Pin);
        Assert.False(second.EnsureKey());
    }

    [SkippableFact]
    public void A_wrong_pin_is_refused_with_a_message_that_does_not_repeat_it()
    {
        SoftHsm.SkipUnlessAvailable();
        const string wrong = "0000-wrong-pin";

        var e = Assert.Throws<HsmException>(() => HsmKekSeal.Open(Options(), wrong));

        Assert.Equal(HsmFailure.PinRefused, e.Failure);
        Assert.Contains("the HSM refused the PIN", e.Message);
        Assert.DoesNotContain(wrong, e.Message);
        Assert.DoesNotContain(SoftHsm.Pin, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [SkippableFact]
    public void An_unknown_token_label_is_named_in_the_refusal()
    {
        SoftHsm.SkipUnlessAvailable();

        var e = Assert.Throws<HsmException>(() => HsmKekSeal.Open(Options("no-such-token"), SoftHsm.Pin));

        Assert.Equal(HsmFailure.TokenNotFound, e.Failure);
        Assert.Contains("no HSM token labelled 'no-such-token'", e.Message);
    }

    [SkippableFact]
    public void A_missing_module_is_refused_before_anything_is_loaded()
    {
        SoftHsm.SkipUnlessAvailable();

        var e = Assert.Throws<HsmException>(() =>
            HsmKekSeal.Open(new HsmOptions("/nonexistent/libpkcs11.so", SoftHsm.TokenA), SoftHsm.Pin));

        Assert.Equal(HsmFailure.ModuleNotFound, e.Failure);
        Assert.Contains("/nonexistent/libpkcs11.so does not exist", e.Message);
    }

    [SkippableFact]
    public void Unseal_with_an_unknown_key_label_says_the_key_is_missing_and_creates_nothing()
    {
        SoftHsm.SkipUnlessAvailable();
        var blob = SealOn(SoftHsm.TokenA);
        using var seal = HsmKekSeal.Open(Options(keyLabel: "never-created"), SoftHsm.Pin);

        var e = Assert.Throws<HsmException>(() => seal.Unseal(blob));

        Assert.Equal(HsmFailure.KeyNotFound, e.Failure);
        Assert.Contains("holds no key labelled 'never-created'", e.Message);
        Assert.True(seal.EnsureKey(), "Unseal must not have created the key");
    }

    [SkippableFact]
    public void A_blob_altered_anywhere_is_refused()
    {
        SoftHsm.SkipUnlessAvailable();
        using var seal = HsmKekSeal.Open(Options(), SoftHsm.Pin);
        var blob = seal.Seal(_kek);

        // The version byte, the IV, the ciphertext and the tag.
        foreach (var index in new[] { 0, 1, 12, 13, 30, 44, 45, HsmKekSeal.BlobLength - 1 })
        {
            var altered = (byte[])blob.Clone();
            altered[index] ^= 0x01;

            var e = Assert.Throws<HsmException>(() => seal.Unseal(altered));

            Assert.Equal(HsmFailure.BlobRefused, e.Failure);
        }

        Assert.Equal(HsmFailure.BlobRefused, Assert.Throws<HsmException>(() => seal.Unseal(blob.AsSpan(0, 40))).Failure);
        Assert.Equal(_kek, seal.Unseal(blob));
    }

    [SkippableFact]
    public void A_blob_sealed_by_another_tokens_key_of_the_same_label_is_refused()
    {
        SoftHsm.SkipUnlessAvailable();
        var blob = SealOn(SoftHsm.TokenB);
        using var seal = HsmKekSeal.Open(Options(SoftHsm.TokenA), SoftHsm.Pin);
        seal.EnsureKey();

        var e = Assert.Throws<HsmException>(() => seal.Unseal(blob));

        Assert.Equal(HsmFailure.BlobRefused, e.Failure);
        Assert.Contains($"the HSM key '{_keyLabel}' on token '{SoftHsm.TokenA}' did not open the sealed KEK", e.Message);
    }

    [SkippableFact]
    public void The_sealed_blob_never_contains_the_kek_bytes()
    {
        SoftHsm.SkipUnlessAvailable();
        using var seal = HsmKekSeal.Open(Options(), SoftHsm.Pin);
        for (var round = 0; round < 10; round++)
        {
            var blob = seal.Seal(_kek);

            for (var start = 0; start + 4 <= _kek.Length; start++)
            {
                Assert.Equal(-1, blob.AsSpan().IndexOf(_kek.AsSpan(start, 4)));
            }
        }
    }

    [SkippableFact]
    public void The_hsm_key_is_sensitive_and_non_extractable_so_its_value_cannot_be_read()
    {
        SoftHsm.SkipUnlessAvailable();
        using (var seal = HsmKekSeal.Open(Options(), SoftHsm.Pin))
        {
            seal.EnsureKey();
        }

        // Ask the token directly, as any PKCS#11 client logged in with the PIN could.
        var module = Pkcs11Module.Acquire(SoftHsm.Module);
        try
        {
            var slot = module.Library.GetSlotList(SlotsType.WithTokenPresent).Single(s => s.GetTokenInfo().Label.Trim() == SoftHsm.TokenA);
            using var session = slot.OpenSession(SessionType.ReadOnly);
            session.Login(CKU.CKU_USER, SoftHsm.Pin);
            var key = session.FindAllObjects([session.Factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, _keyLabel)]).Single();

            var flags = session.GetAttributeValue(key,
                [CKA.CKA_TOKEN, CKA.CKA_PRIVATE, CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_WRAP, CKA.CKA_VALUE_LEN]);
            Assert.True(flags[0].GetValueAsBool());
            Assert.True(flags[1].GetValueAsBool());
            Assert.True(flags[2].GetValueAsBool());
            Assert.False(flags[3].GetValueAsBool());
            Assert.False(flags[4].GetValueAsBool());
            Assert.Equal(32UL, flags[5].GetValueAsUlong());

            IObjectAttribute? value = null;
            var refused = Record.Exception(() => value = session.GetAttributeValue(key, [CKA.CKA_VALUE])[0]);
            Assert.True(refused is Pkcs11Exception { RV: CKR.CKR_ATTRIBUTE_SENSITIVE } || value is { CannotBeRead: true },
                $"reading CKA_VALUE must fail; got {refused?.Message ?? "a readable value"}");
        }
        finally
        {
            module.Release();
        }
    }
}
