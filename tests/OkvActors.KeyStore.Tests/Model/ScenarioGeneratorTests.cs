using FsCheck;
using FsCheck.Fluent;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Model;

/// <summary>Guards the properties against passing vacuously: the generated replicas do reach every state.</summary>
public sealed class ScenarioGeneratorTests
{
    // 1000 runs of size 30 from a fixed seed: the same sample on every run.
    private static readonly ScenarioRun[] Sample = Generators.Run(Generators.Uid, 3, 30).Sample(1000, new Rnd(20300101UL), 30);

    [Fact]
    public void Generated_replicas_reach_every_kmip_state()
    {
        var states = Sample.SelectMany(r => r.AllStates).Select(s => s.State).ToHashSet();

        Assert.Equal(Enum.GetValues<LifecycleState>().ToHashSet(), states);
    }

    [Fact]
    public void Generated_runs_often_mix_destroyed_and_live_replicas()
    {
        var mixed = Sample.Count(r => r.Finals.Any(f => f.IsDestroyed) && r.Finals.Any(f => !f.IsDestroyed));
        var noneDestroyed = Sample.Count(r => r.Finals.All(f => !f.IsDestroyed));

        Assert.InRange(mixed, 200, 1000);
        Assert.InRange(noneDestroyed, 200, 1000);
    }

    [Fact]
    public void Generated_runs_use_every_step_and_refuse_some()
    {
        var kinds = Sample.SelectMany(r => r.Scenario.Steps).Select(s => s.GetType()).ToHashSet();

        Assert.Equal(typeof(Step).GetNestedTypes().ToHashSet(), kinds);
        Assert.Contains(Sample, r => r.Refused > 0);
        Assert.Contains(Sample, r => r.Finals.Any(f => f.Custom.Values.Any(c => c.Value is null)));
        Assert.Contains(Sample, r => r.Finals.Any(f => f.Links.Values.Any(l => l.Value is not null)));
    }

    [Fact]
    public void Generated_runs_include_a_revocation_followed_by_a_compromise()
    {
        Assert.Contains(Sample, r => r.Finals.Any(f => f.Compromised && f.Dates.Deactivation is not null));
    }
}
