using OkvActors.Cluster.Control;
using OkvActors.Cluster.Load;
using Xunit;

namespace OkvActors.Cluster.Tests.Load;

public sealed class LoadRequestTests
{
    [Fact]
    public void Only_the_count_is_required_and_the_rest_have_defaults()
    {
        var request = LoadRequest.Parse(new Dictionary<string, string> { ["count"] = "100000" });

        Assert.Equal(new LoadRequest(100_000, LoadRequest.DefaultConcurrency, null, "load"), request);
    }

    [Fact]
    public void A_paced_request_round_trips_through_its_control_arguments()
    {
        var request = new LoadRequest(30_000, 256, 1000.5, "paced");

        Assert.Equal(request, LoadRequest.Parse(request.ToArgs()));
    }

    [Theory]
    [InlineData(null, null, null, "missing argument 'count'")]
    [InlineData("0", null, null, "count must be a whole number from 1")]
    [InlineData("ten", null, null, "count must be a whole number from 1")]
    [InlineData("10000001", null, null, "count must be a whole number from 1")]
    [InlineData("10", "0", null, "concurrency must be a whole number from 1")]
    [InlineData("10", "5000", null, "concurrency must be a whole number from 1")]
    [InlineData("10", null, "0", "rate must be a number of operations per second")]
    [InlineData("10", null, "fast", "rate must be a number of operations per second")]
    [InlineData("10", null, "NaN", "rate must be a number of operations per second")]
    public void Bad_arguments_are_refused_with_what_is_wrong(string? count, string? concurrency, string? rate, string expected)
    {
        var args = new Dictionary<string, string>();
        foreach (var (name, value) in new[] { ("count", count), ("concurrency", concurrency), ("rate", rate) })
        {
            if (value is not null)
            {
                args[name] = value;
            }
        }

        var refused = Assert.Throws<ControlException>(() => LoadRequest.Parse(args));

        Assert.StartsWith(expected, refused.Message);
    }
}
