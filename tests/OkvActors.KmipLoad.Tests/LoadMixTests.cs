using OkvActors.KmipLoad;
using Xunit;

namespace OkvActors.KmipLoad.Tests;

public class LoadMixTests
{
    [Fact]
    public void The_default_mix_parses_to_its_weights()
    {
        var mix = LoadMix.Parse(LoadMix.Default);
        Assert.Equal(10, mix.Total);
        Assert.Equal(1, mix.WeightOf(LoadOperation.Create));
        Assert.Equal(6, mix.WeightOf(LoadOperation.Get));
        Assert.Equal(1, mix.WeightOf(LoadOperation.Locate));
        Assert.Equal(2, mix.WeightOf(LoadOperation.Encrypt));
        Assert.Equal(LoadMix.Default, mix.ToString());
    }

    [Fact]
    public void Names_are_case_insensitive_and_spaces_are_ignored()
    {
        var mix = LoadMix.Parse(" GET = 3 , Encrypt=1 ");
        Assert.Equal(4, mix.Total);
        Assert.Equal(0, mix.WeightOf(LoadOperation.Create));
        Assert.Equal("get=3,encrypt=1", mix.ToString());
    }

    [Fact]
    public void Pick_covers_each_operation_in_proportion_to_its_weight()
    {
        var mix = LoadMix.Parse("create=1,get=6,locate=0,encrypt=2");
        var picks = Enumerable.Range(0, mix.Total).Select(mix.Pick).ToList();
        Assert.Equal(1, picks.Count(p => p == LoadOperation.Create));
        Assert.Equal(6, picks.Count(p => p == LoadOperation.Get));
        Assert.Equal(0, picks.Count(p => p == LoadOperation.Locate));
        Assert.Equal(2, picks.Count(p => p == LoadOperation.Encrypt));
        Assert.Throws<ArgumentOutOfRangeException>(() => mix.Pick(mix.Total));
        Assert.Throws<ArgumentOutOfRangeException>(() => mix.Pick(-1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("get")]
    [InlineData("get=")]
    [InlineData("=3")]
    [InlineData("destroy=1")]
    [InlineData("2=1")]
    [InlineData("get=-1")]
    [InlineData("get=1.5")]
    [InlineData("get=x")]
    [InlineData("get=1,get=2")]
    [InlineData("get=0,create=0")]
    [InlineData("get=2147483647,create=1")]
    public void Bad_mixes_are_rejected(string text) => Assert.Throws<FormatException>(() => LoadMix.Parse(text));
}
