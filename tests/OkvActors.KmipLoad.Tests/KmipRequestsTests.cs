using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.KmipLoad;
using Xunit;

namespace OkvActors.KmipLoad.Tests;

public class KmipRequestsTests
{
    [Fact]
    public void Decrypt_sends_the_ciphertext_the_iv_and_the_encrypt_parameters()
    {
        var item = Assert.Single(KmipRequests.Decrypt("uid-1", [1, 2, 3], [9, 9]).BatchItems);
        Assert.Equal(Operation.Decrypt, item.Operation);
        Assert.Equal("uid-1", item.Payload.TextOf(Tag.UniqueIdentifier));
        Assert.Equal(new byte[] { 1, 2, 3 }, item.Payload.BytesOf(Tag.Data));
        Assert.Equal(new byte[] { 9, 9 }, item.Payload.BytesOf(Tag.IvCounterNonce));
        var encrypt = Assert.Single(KmipRequests.Encrypt("uid-1", [0]).BatchItems).Payload;
        Assert.True(encrypt.Find(Tag.CryptographicParameters)!.ContentEquals(item.Payload.Find(Tag.CryptographicParameters)));
    }

    [Fact]
    public void Decrypt_without_an_iv_leaves_the_field_out() =>
        Assert.Null(Assert.Single(KmipRequests.Decrypt("u", [1], null).BatchItems).Payload.Find(Tag.IvCounterNonce));

    [Fact]
    public void Decrypt_is_an_operation_of_the_mix() =>
        Assert.Equal(LoadOperation.Decrypt, LoadMix.Parse("decrypt=1").Pick(0));
}
