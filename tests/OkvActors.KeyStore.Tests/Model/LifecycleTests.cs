using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Model;

public sealed class LifecycleTests
{
    private const string Uid = "lifecycle-1";

    private static readonly DateTimeOffset Created = Scenario.Start;

    // Local times with non-zero offsets: what the object records must be UTC.
    private static readonly DateTimeOffset Monday = new(2030, 1, 7, 9, 30, 0, TimeSpan.FromHours(5.5));
    private static readonly DateTimeOffset Tuesday = new(2030, 1, 8, 9, 30, 0, TimeSpan.FromHours(-7));
    private static readonly DateTimeOffset Wednesday = new(2030, 1, 9, 9, 30, 0, TimeSpan.FromHours(1));

    private readonly HybridLogicalClock _hlc = new("node-a", new ManualClock(Created));

    private static ManagedObject PreActive() => Scenario.BaseObject(Uid);

    private static ManagedObject Active() => PreActive().Activate(Monday);

    private static ManagedObject Deactivated() => Active().Revoke(RevocationReason.Superseded, Tuesday);

    private static ManagedObject Compromised() => Active().Revoke(RevocationReason.KeyCompromise, Tuesday);

    private static ManagedObject Destroyed() => Deactivated().Destroy(Wednesday);

    [Fact]
    public void A_new_object_is_pre_active_with_its_material_and_no_dates()
    {
        var o = PreActive();

        Assert.Equal(LifecycleState.PreActive, o.State);
        Assert.False(o.Compromised);
        Assert.NotNull(o.WrappedMaterial);
        Assert.Equal(LifecycleDates.None, o.Dates);
        Assert.Null(o.RevocationReason);
    }

    [Fact]
    public void Activate_moves_a_pre_active_object_to_active_and_records_the_date_in_utc()
    {
        var o = PreActive().Activate(Monday);

        Assert.Equal(LifecycleState.Active, o.State);
        Assert.Equal(Progress.Active, o.Progress);
        AssertUtc(Monday, o.Dates.Activation);
        Assert.NotNull(o.WrappedMaterial);
    }

    [Theory]
    [InlineData(RevocationReason.Unspecified)]
    [InlineData(RevocationReason.AffiliationChanged)]
    [InlineData(RevocationReason.Superseded)]
    [InlineData(RevocationReason.CessationOfOperation)]
    [InlineData(RevocationReason.PrivilegeWithdrawn)]
    public void Revoke_for_another_reason_than_compromise_deactivates_an_active_object(RevocationReason reason)
    {
        var o = Active().Revoke(reason, Tuesday);

        Assert.Equal(LifecycleState.Deactivated, o.State);
        Assert.Equal(reason, o.RevocationReason);
        Assert.False(o.Compromised);
        AssertUtc(Tuesday, o.Dates.Deactivation);
        AssertUtc(Monday, o.Dates.Activation);
    }

    [Fact]
    public void Revoke_deactivates_a_pre_active_object_that_was_never_activated()
    {
        var o = PreActive().Revoke(RevocationReason.CessationOfOperation, Tuesday);

        Assert.Equal(LifecycleState.Deactivated, o.State);
        Assert.Null(o.Dates.Activation);
        AssertUtc(Tuesday, o.Dates.Deactivation);
    }

    public static TheoryData<string> LiveStates => ["PreActive", "Active", "Deactivated"];

    [Theory]
    [MemberData(nameof(LiveStates))]
    public void Revoke_for_compromise_marks_any_live_object_compromised(string state)
    {
        var before = Live(state);

        var key = before.Revoke(RevocationReason.KeyCompromise, Wednesday);
        var ca = before.Revoke(RevocationReason.CaCompromise, Wednesday);

        Assert.Equal(LifecycleState.Compromised, key.State);
        Assert.Equal(LifecycleState.Compromised, ca.State);
        Assert.Equal(before.Progress, key.Progress);
        Assert.True(key.Compromised);
        Assert.Equal(RevocationReason.KeyCompromise, key.RevocationReason);
        Assert.Equal(RevocationReason.CaCompromise, ca.RevocationReason);
        AssertUtc(Wednesday, key.Dates.Compromise);
        Assert.NotNull(key.WrappedMaterial);
    }

    [Fact]
    public void Destroy_drops_the_material_of_a_pre_active_object()
    {
        var o = PreActive().Destroy(Wednesday);

        Assert.Equal(LifecycleState.Destroyed, o.State);
        Assert.True(o.IsDestroyed);
        Assert.Null(o.WrappedMaterial);
        AssertUtc(Wednesday, o.Dates.Destroy);
    }

    [Fact]
    public void Destroy_drops_the_material_of_a_deactivated_object_and_keeps_its_history()
    {
        var o = Deactivated().Destroy(Wednesday);

        Assert.Equal(LifecycleState.Destroyed, o.State);
        Assert.Null(o.WrappedMaterial);
        Assert.Equal(RevocationReason.Superseded, o.RevocationReason);
        AssertUtc(Monday, o.Dates.Activation);
        AssertUtc(Tuesday, o.Dates.Deactivation);
        AssertUtc(Wednesday, o.Dates.Destroy);
    }

    [Fact]
    public void Destroy_of_a_compromised_active_object_is_allowed_and_gives_destroyed_compromised()
    {
        var o = Compromised().Destroy(Wednesday);

        Assert.Equal(LifecycleState.DestroyedCompromised, o.State);
        Assert.Null(o.WrappedMaterial);
        Assert.True(o.Compromised);
    }

    [Fact]
    public void Attributes_change_on_live_objects_including_compromised_ones()
    {
        foreach (var o in new[] { PreActive(), Active(), Deactivated(), Compromised() })
        {
            var changed = o
                .SetNames(["one", "two"], _hlc.Now())
                .SetUsageMask(0x0C, _hlc.Now())
                .SetWallet("finance", _hlc.Now())
                .SetCustom("x-owner", "ops", _hlc.Now())
                .SetLink(LinkType.PublicKey, "uid-2", _hlc.Now());

            Assert.Equal<string>(["one", "two"], changed.Names.Value);
            Assert.Equal(0x0C, changed.UsageMask.Value);
            Assert.Equal("finance", changed.Wallet.Value);
            Assert.Equal("ops", changed.Custom["x-owner"].Value);
            Assert.Equal("uid-2", changed.Links[LinkType.PublicKey].Value);
            Assert.Equal(o.State, changed.State);
        }
    }

    [Fact]
    public void SetCustom_with_null_is_a_deletion_that_wins_by_its_stamp()
    {
        var set = PreActive().SetCustom("x-owner", "ops", _hlc.Now());
        var deleted = set.SetCustom("x-owner", null, _hlc.Now());

        Assert.Null(deleted.Custom["x-owner"].Value);
        Assert.Null(set.Merge(deleted).Custom["x-owner"].Value);
        Assert.Null(deleted.Merge(set).Custom["x-owner"].Value);
    }

    [Fact]
    public void SetLink_with_null_removes_the_link_and_wins_by_its_stamp()
    {
        var linked = PreActive().SetLink(LinkType.ReplacementObject, "uid-9", _hlc.Now());
        var unlinked = linked.SetLink(LinkType.ReplacementObject, null, _hlc.Now());

        Assert.Null(linked.Merge(unlinked).Links[LinkType.ReplacementObject].Value);
        Assert.Null(unlinked.Merge(linked).Links[LinkType.ReplacementObject].Value);
    }

    [Fact]
    public void Activate_twice_is_refused()
    {
        var e = Assert.Throws<IllegalTransitionException>(() => Active().Activate(Tuesday));

        Assert.Contains(Uid, e.Message, StringComparison.Ordinal);
        Assert.Contains("already Active", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deactivated_object_can_never_be_activated_again()
    {
        var e = Assert.Throws<IllegalTransitionException>(() => Deactivated().Activate(Wednesday));

        Assert.Contains("never be activated again", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(LifecycleState.Deactivated), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pre_active_object_revoked_without_activation_can_never_be_activated()
    {
        var revoked = PreActive().Revoke(RevocationReason.Unspecified, Tuesday);

        Assert.Throws<IllegalTransitionException>(() => revoked.Activate(Wednesday));
    }

    [Fact]
    public void A_compromised_object_can_never_be_activated_even_if_it_never_was()
    {
        var compromised = PreActive().Revoke(RevocationReason.KeyCompromise, Tuesday);

        var e = Assert.Throws<IllegalTransitionException>(() => compromised.Activate(Wednesday));

        Assert.Contains(nameof(LifecycleState.Compromised), e.Message, StringComparison.Ordinal);
        Assert.Throws<IllegalTransitionException>(() => Compromised().Activate(Wednesday));
    }

    [Fact]
    public void A_destroyed_object_can_never_be_activated()
    {
        Assert.Throws<IllegalTransitionException>(() => PreActive().Destroy(Tuesday).Activate(Wednesday));
    }

    [Fact]
    public void Destroy_of_an_active_object_is_refused_with_a_hint_to_revoke_first()
    {
        var e = Assert.Throws<IllegalTransitionException>(() => Active().Destroy(Wednesday));

        Assert.Contains("revoke it before destroying it", e.Message, StringComparison.Ordinal);
        Assert.Contains(Uid, e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(LifecycleState.Active), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Destroy_twice_is_refused()
    {
        var e = Assert.Throws<IllegalTransitionException>(() => Destroyed().Destroy(Wednesday));

        Assert.Contains("already destroyed", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RevocationReason.Unspecified)]
    [InlineData(RevocationReason.KeyCompromise)]
    [InlineData(RevocationReason.CaCompromise)]
    [InlineData(RevocationReason.Superseded)]
    public void Revoke_of_a_destroyed_object_is_refused(RevocationReason reason)
    {
        var e = Assert.Throws<IllegalTransitionException>(() => Destroyed().Revoke(reason, Wednesday));

        Assert.Contains("is destroyed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Revoke_twice_for_another_reason_than_compromise_is_refused()
    {
        var e = Assert.Throws<IllegalTransitionException>(() => Deactivated().Revoke(RevocationReason.CessationOfOperation, Wednesday));

        Assert.Contains("already revoked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Revoke_of_a_compromised_object_for_another_reason_is_refused()
    {
        Assert.Throws<IllegalTransitionException>(() => Compromised().Revoke(RevocationReason.Superseded, Wednesday));
    }

    [Theory]
    [InlineData(RevocationReason.KeyCompromise)]
    [InlineData(RevocationReason.CaCompromise)]
    public void Compromise_twice_is_refused(RevocationReason reason)
    {
        var e = Assert.Throws<IllegalTransitionException>(() => Compromised().Revoke(reason, Wednesday));

        Assert.Contains("already Compromised", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_attribute_of_a_destroyed_object_can_change()
    {
        var destroyed = Destroyed();
        var stamp = _hlc.Now();
        Action[] changes =
        [
            () => destroyed.SetNames(["late"], stamp),
            () => destroyed.SetUsageMask(1, stamp),
            () => destroyed.SetWallet("late", stamp),
            () => destroyed.SetCustom("x-owner", "late", stamp),
            () => destroyed.SetCustom("x-owner", null, stamp),
            () => destroyed.SetLink(LinkType.PublicKey, "uid-2", stamp),
        ];

        Assert.All(changes, change =>
        {
            var e = Assert.Throws<IllegalTransitionException>(change);
            Assert.Contains("can no longer change", e.Message, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(Progress.PreActive, false, LifecycleState.PreActive)]
    [InlineData(Progress.Active, false, LifecycleState.Active)]
    [InlineData(Progress.Deactivated, false, LifecycleState.Deactivated)]
    [InlineData(Progress.Destroyed, false, LifecycleState.Destroyed)]
    [InlineData(Progress.PreActive, true, LifecycleState.Compromised)]
    [InlineData(Progress.Active, true, LifecycleState.Compromised)]
    [InlineData(Progress.Deactivated, true, LifecycleState.Compromised)]
    [InlineData(Progress.Destroyed, true, LifecycleState.DestroyedCompromised)]
    public void State_maps_progress_and_compromise_to_the_kmip_state(Progress progress, bool compromised, LifecycleState expected)
    {
        var o = PreActive();
        var shaped = new ManagedObject(o.Uid, o.Type, o.Algorithm, o.Length, o.InitialDate, o.Creator, o.WrappedMaterial,
            progress, compromised, o.Dates, o.RevocationReason, o.Names, o.UsageMask, o.Wallet, o.Custom, o.Links);

        Assert.Equal(expected, shaped.State);
        Assert.Equal(progress == Progress.Destroyed, shaped.WrappedMaterial is null);
    }

    [Fact]
    public void Kmip_state_values_are_the_kmip_enumeration()
    {
        Assert.Equal(1, (int)LifecycleState.PreActive);
        Assert.Equal(2, (int)LifecycleState.Active);
        Assert.Equal(3, (int)LifecycleState.Deactivated);
        Assert.Equal(4, (int)LifecycleState.Compromised);
        Assert.Equal(5, (int)LifecycleState.Destroyed);
        Assert.Equal(6, (int)LifecycleState.DestroyedCompromised);
    }

    [Fact]
    public void A_compromise_after_a_deactivation_survives_a_merge_with_the_deactivated_replica()
    {
        // Found by Every_local_step_is_absorbed_by_the_state_after_it: the reason merge kept the smallest enum
        // value, so Unspecified (1) beat KeyCompromise (2) and a stale replica turned the reason back.
        var deactivated = PreActive().Activate(Monday).Revoke(RevocationReason.Unspecified, Tuesday);
        var compromised = deactivated.Revoke(RevocationReason.KeyCompromise, Wednesday);

        var merged = deactivated.Merge(compromised);
        var mergedBack = compromised.Merge(deactivated);

        Assert.Equal(LifecycleState.Compromised, merged.State);
        Assert.Equal(RevocationReason.KeyCompromise, merged.RevocationReason);
        Assert.Equal(RevocationReason.KeyCompromise, mergedBack.RevocationReason);
        Describe.SameEncoding(compromised, merged, "deactivated ⊔ compromised");
    }

    [Fact]
    public void Concurrent_revocations_agree_on_the_compromise_reason_whatever_the_order()
    {
        var active = Active();
        var retired = active.Revoke(RevocationReason.Unspecified, Tuesday);
        var compromised = active.Revoke(RevocationReason.CaCompromise, Wednesday);

        Assert.Equal(RevocationReason.CaCompromise, retired.Merge(compromised).RevocationReason);
        Assert.Equal(RevocationReason.CaCompromise, compromised.Merge(retired).RevocationReason);
        Assert.Equal(LifecycleState.Compromised, retired.Merge(compromised).State);
    }

    [Fact]
    public void Merging_a_destroyed_replica_into_an_active_one_destroys_it()
    {
        var active = Active();
        var destroyed = PreActive().Destroy(Tuesday);

        var merged = active.Merge(destroyed);

        Assert.Equal(LifecycleState.Destroyed, merged.State);
        Assert.Null(merged.WrappedMaterial);
        AssertUtc(Monday, merged.Dates.Activation);
        AssertUtc(Tuesday, merged.Dates.Destroy);
    }

    [Fact]
    public void Merge_refuses_another_object()
    {
        Assert.Throws<ArgumentException>(() => PreActive().Merge(Scenario.BaseObject("another")));
    }

    [Fact]
    public void Each_date_keeps_its_earliest_value_across_replicas()
    {
        var early = PreActive().Activate(Monday);
        var late = PreActive().Activate(Tuesday);

        Assert.Equal(Monday, early.Merge(late).Dates.Activation);
        Assert.Equal(Monday, late.Merge(early).Dates.Activation);
    }

    private static ManagedObject Live(string state) => state switch
    {
        "PreActive" => PreActive(),
        "Active" => Active(),
        "Deactivated" => Deactivated(),
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    private static void AssertUtc(DateTimeOffset expected, DateTimeOffset? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(TimeSpan.Zero, actual.Value.Offset);
        Assert.Equal(expected.UtcTicks, actual.Value.UtcTicks);
    }
}
