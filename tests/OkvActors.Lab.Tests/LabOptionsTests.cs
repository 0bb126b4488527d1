using OkvActors.KmipLoad;
using OkvActors.Lab;
using Xunit;

namespace OkvActors.Lab.Tests;

public class LabOptionsTests
{
    [Fact]
    public void Defaults_are_the_full_lab_on_the_44000_range()
    {
        var o = LabOptions.Parse([]);
        Assert.Equal([1, 8, 32, 128], o.Clients);
        Assert.Equal(10, o.Seconds);
        Assert.Equal(44000, o.BasePort);
        Assert.Equal(LabOptions.RecordBytes, o.ValueBytes);
        Assert.Equal(100_000, o.Objects);
        Assert.True(o.Runs(LabPart.Scale));
        Assert.Equal([LoadOperation.Get, LoadOperation.Locate, LoadOperation.Encrypt, LoadOperation.Decrypt, LoadOperation.Create], o.Operations);
        Assert.True(o.Runs(LabPart.PyKmip) && o.Runs(LabPart.Etcd) && o.Runs(LabPart.Availability) && o.Runs(LabPart.Convergence));
        Assert.Equal(Path.Combine("bench", "results"), o.Out);
        Assert.Null(o.WorkDir);
        Assert.Equal([3, 16], o.GrowthNodes);
        Assert.Equal(1024, o.ShardCount);
        Assert.True(o.Runs(LabPart.Growth));
        Assert.Equal(1_000_000, o.LargeObjects);
        Assert.Equal([100_000, 1_000_000], o.FreshSizes);
        Assert.True(o.Runs(LabPart.Restart) && o.Runs(LabPart.Large) && o.Runs(LabPart.Micro) && o.Runs(LabPart.Profile));
    }

    [Fact]
    public void Quick_shortens_only_what_was_not_given()
    {
        var quick = LabOptions.Parse(["--quick"]);
        Assert.Equal([1, 32], quick.Clients);
        Assert.Equal(4, quick.Seconds);
        Assert.Equal(20, quick.ConvergenceSamples);
        Assert.Equal(10_000, quick.Objects);
        Assert.Equal([3, 6], quick.GrowthNodes);
        Assert.Equal(256, quick.ShardCount);
        Assert.Equal(20_000, quick.LargeObjects);
        Assert.Equal([10_000, 20_000], quick.FreshSizes);
        Assert.Equal([5_000], LabOptions.Parse(["--objects", "5000", "--large-objects", "5000"]).FreshSizes);
        Assert.Equal(500_000, LabOptions.Parse(["--quick", "--large-objects", "500000"]).LargeObjects);
        Assert.Equal(4096, LabOptions.Parse(["--objects", "1000000"]).ShardCount);
        Assert.Equal([4, 16], LabOptions.Parse(["--quick", "--growth-nodes", "16,4,16"]).GrowthNodes);

        var mixed = LabOptions.Parse(["--quick", "--seconds", "7", "--clients", "8"]);
        Assert.Equal([8], mixed.Clients);
        Assert.Equal(7, mixed.Seconds);
    }

    [Fact]
    public void Lists_parts_and_numbers_are_read()
    {
        var o = LabOptions.Parse(["--clients", "32, 1,32", "--ops", "Create,get", "--skip", "etcd", "--skip", "Availability", "--skip", "scale", "--objects", "500",
            "--out", "o", "--dir", "d", "--base-port", "44100", "--convergence-samples", "5", "--availability-seconds", "9.5", "--value-bytes", "64"]);
        Assert.Equal([1, 32], o.Clients);
        Assert.Equal([LoadOperation.Create, LoadOperation.Get], o.Operations);
        Assert.False(o.Runs(LabPart.Etcd));
        Assert.False(o.Runs(LabPart.Availability));
        Assert.True(o.Runs(LabPart.PyKmip));
        Assert.False(o.Runs(LabPart.Scale));
        Assert.Equal(500, o.Objects);
        Assert.Equal(("o", "d", 44100, 5, 9.5, 64), (o.Out, o.WorkDir, o.BasePort, o.ConvergenceSamples, o.AvailabilitySeconds, o.ValueBytes));
    }

    [Theory]
    [InlineData("--clients", "0", "--clients must be a positive integer")]
    [InlineData("--clients", "x", "--clients must be a positive integer")]
    [InlineData("--clients", ",", "--clients needs at least one")]
    [InlineData("--seconds", "-1", "--seconds must be a positive number")]
    [InlineData("--seconds", "NaN", "--seconds must be a positive number")]
    [InlineData("--ops", "sign", "unknown operation 'sign'")]
    [InlineData("--growth-nodes", "2,16", "--growth-nodes takes cluster sizes from 3 to 16")]
    [InlineData("--growth-nodes", "17", "--growth-nodes takes cluster sizes from 3 to 16")]
    [InlineData("--ops", "1", "unknown operation '1'")]
    [InlineData("--skip", "okv", "unknown part 'okv'")]
    [InlineData("--base-port", "65000", "leaves no room")]
    [InlineData("--availability-seconds", "5", "at least 6")]
    [InlineData("--frobnicate", "1", "unknown option '--frobnicate'")]
    [InlineData("--objects", "0", "--objects must be a positive integer")]
    public void Bad_input_is_refused_with_a_message_naming_it(string option, string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => LabOptions.Parse([option, value]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_without_its_value_is_refused() =>
        Assert.Contains("--out needs a value", Assert.Throws<FormatException>(() => LabOptions.Parse(["--out"])).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(1_000_000, 4096)]
    [InlineData(100_000, 512)]
    [InlineData(20_000, 256)]
    [InlineData(10_000_000, 4096)]
    public void A_fresh_cluster_gets_about_250_objects_a_shard_in_a_power_of_two_from_256_to_4096(long records, int shards) =>
        Assert.Equal(shards, LabOptions.ShardsFor(records));

    [Fact]
    public void The_new_parts_can_be_skipped_by_name()
    {
        var o = LabOptions.Parse(["--skip", "restart", "--skip", "large", "--skip", "micro", "--skip", "profile"]);
        Assert.False(o.Runs(LabPart.Restart) || o.Runs(LabPart.Large) || o.Runs(LabPart.Micro) || o.Runs(LabPart.Profile));
        Assert.Throws<FormatException>(() => LabOptions.Parse(["--large-objects", "0"]));
    }
}
