using OkvActors.KeyStore.Vault;
using Xunit;

namespace OkvActors.KeyStore.Tests.Vault;

public sealed class WriteQuorumTests
{
    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(2, 1, true)]
    [InlineData(3, 2, false)]
    [InlineData(3, 1, true)]
    [InlineData(4, 2, true)]
    [InlineData(4, 3, false)]
    [InlineData(16, 9, false)]
    [InlineData(16, 8, true)]
    public void Write_quorum_is_a_strict_majority_of_the_members(int members, int reachable, bool restricted)
    {
        var mode = WriteQuorum.Evaluate(members, reachable);

        Assert.Equal(restricted, mode.Restricted);
        Assert.Equal(restricted, mode.Reason.StartsWith("restricted mode", StringComparison.Ordinal));
    }
}
