using OkvActors.KeyStore.Model;
using Xunit;

namespace OkvActors.Rest.Tests;

public sealed class RestJsonTests
{
    [Theory]
    [InlineData("pre-active", LifecycleState.PreActive)]
    [InlineData("PreActive", LifecycleState.PreActive)]
    [InlineData("destroyed_compromised", LifecycleState.DestroyedCompromised)]
    public void Enum_names_are_read_in_any_case_with_or_without_separators(string text, LifecycleState expected)
    {
        Assert.Equal(expected, RestJson.Enum<LifecycleState>(text, "state"));
    }

    [Theory]
    [InlineData("sleeping")]
    [InlineData("2")]
    [InlineData("")]
    public void An_unknown_enum_name_or_a_number_is_refused_listing_the_names(string text)
    {
        var e = Assert.Throws<RestInputException>(() => RestJson.Enum<LifecycleState>(text, "state"));

        Assert.Contains("pre-active", e.Message);
    }

    [Fact]
    public void Bad_base64_is_refused_naming_the_field()
    {
        Assert.Contains("'material'", Assert.Throws<RestInputException>(() => RestJson.Base64("not base64!", "material")).Message);
        Assert.Contains("'material'", Assert.Throws<RestInputException>(() => RestJson.Base64(null, "material")).Message);
        Assert.Equal([1, 2, 3], RestJson.Base64("AQID", "material"));
    }
}
