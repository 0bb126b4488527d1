using OkvActors.Pki.Trust;
using Xunit;

namespace OkvActors.Pki.Tests.Trust;

public class RevocationListTests
{
    private const string A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public void A_new_list_revokes_nothing()
    {
        var list = new RevocationList();

        Assert.Equal(0, list.Count);
        Assert.False(list.IsRevoked(A));
    }

    [Fact]
    public void Replace_revokes_exactly_the_given_fingerprints()
    {
        var list = new RevocationList();

        list.Replace([A, A]);

        Assert.Equal(1, list.Count);
        Assert.True(list.IsRevoked(A));
        Assert.False(list.IsRevoked(B));
    }

    [Fact]
    public void Replace_replaces_rather_than_adds()
    {
        var list = new RevocationList();
        list.Replace([A]);

        list.Replace([B]);

        Assert.False(list.IsRevoked(A));
        Assert.True(list.IsRevoked(B));
        Assert.Equal(1, list.Count);
    }

    [Fact]
    public void Replace_with_nothing_clears_the_list()
    {
        var list = new RevocationList();
        list.Replace([A, B]);

        list.Replace([]);

        Assert.Equal(0, list.Count);
        Assert.False(list.IsRevoked(A));
    }
}
