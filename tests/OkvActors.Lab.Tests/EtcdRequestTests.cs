using System.Text;
using System.Text.Json;
using OkvActors.Lab.Peers;
using Xunit;

namespace OkvActors.Lab.Tests;

public class EtcdRequestTests
{
    [Fact]
    public void A_put_carries_key_and_value_base64_encoded_as_the_gateway_expects()
    {
        var body = JsonDocument.Parse(EtcdClient.PutBody("lab/ab/1/0", [0, 1, 2, 255])).RootElement;
        Assert.Equal(["key", "value"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("lab/ab/1/0", Encoding.UTF8.GetString(Convert.FromBase64String(body.GetProperty("key").GetString()!)));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, body.GetProperty("value").GetBytesFromBase64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_range_names_one_key_and_whether_it_may_be_served_locally(bool serializable)
    {
        var body = JsonDocument.Parse(EtcdClient.RangeBody("k", serializable)).RootElement;
        Assert.Equal("aw==", body.GetProperty("key").GetString());
        Assert.Equal(serializable, body.GetProperty("serializable").GetBoolean());
        Assert.False(body.TryGetProperty("range_end", out _));
    }

    [Fact]
    public void A_value_of_one_record_is_sent_whole()
    {
        var value = new byte[OkvActors.Lab.LabOptions.RecordBytes];
        var body = JsonDocument.Parse(EtcdClient.PutBody("k", value)).RootElement;
        Assert.Equal(315, body.GetProperty("value").GetBytesFromBase64().Length);
    }
}
