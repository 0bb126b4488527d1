using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Pki.Tests.Certificates;

public class NodeNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("node-a")]
    [InlineData("node1")]
    [InlineData("n-1-2-3")]
    public void NodeNames_accepts_lower_case_dns_label_like_names(string name)
    {
        Assert.True(NodeNames.IsValid(name));
        Assert.Equal(name, NodeNames.Validate(name));
    }

    [Fact]
    public void NodeNames_accepts_a_name_of_exactly_63_characters()
    {
        var name = "n" + new string('x', 62);

        Assert.True(NodeNames.IsValid(name));
    }

    [Fact]
    public void NodeNames_refuses_a_name_of_64_characters()
    {
        var name = "n" + new string('x', 63);

        Assert.False(NodeNames.IsValid(name));
        Assert.Throws<PkiException>(() => NodeNames.Validate(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Node-a")]
    [InlineData("NODE")]
    [InlineData("1node")]
    [InlineData("-node")]
    [InlineData("node_a")]
    [InlineData("node.example.com")]
    [InlineData("node a")]
    [InlineData(" node")]
    [InlineData("nöde")]
    [InlineData("node,O=evil")]
    [InlineData("node\n")]
    [InlineData("node\r\n")]
    public void NodeNames_refuses_names_that_are_not_lower_case_labels(string name)
    {
        Assert.False(NodeNames.IsValid(name));
        Assert.Throws<PkiException>(() => NodeNames.Validate(name));
    }

    [Fact]
    public void Validate_names_what_was_wrong_in_its_message()
    {
        var e = Assert.Throws<PkiException>(() => NodeNames.Validate("Bad", "cluster name"));

        Assert.Contains("'Bad'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cluster name", e.Message, StringComparison.Ordinal);
    }
}
