using Akka.Actor;
using OkvActors.Cluster.Load;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;
using Xunit;

namespace OkvActors.Cluster.Tests.Load;

public sealed class LoadRunnerTests
{
    private static readonly ManagedObject Stored = ManagedObject.Create("uid", ObjectType.SymmetricKey, 3, 256, [1, 2, 3],
        new HybridLogicalClock("n").Now(), DateTimeOffset.UnixEpoch, ["k"]);

    [Fact]
    public void Replies_are_counted_as_acknowledged_timed_out_or_failed()
    {
        Assert.Equal(LoadOutcome.Acknowledged, LoadRunner.Classify(new ObjectStored(Stored), null));
        Assert.Equal(LoadOutcome.TimedOut, LoadRunner.Classify(new WriteRefused("not confirmed", Restricted: false), null));
        Assert.Equal(LoadOutcome.TimedOut, LoadRunner.Classify(null, new AskTimeoutException("ask")));
        Assert.Equal(LoadOutcome.Failed, LoadRunner.Classify(new WriteRefused("restricted", Restricted: true), null));
        Assert.Equal(LoadOutcome.Failed, LoadRunner.Classify(null, new InvalidOperationException("boom")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(5000.0)]
    public async Task Every_operation_runs_once_and_its_outcome_is_counted(double? rate)
    {
        var seen = new int[300];
        Task<IVaultReply> Operation(int i)
        {
            Interlocked.Increment(ref seen[i]);
            return i switch
            {
                _ when i % 100 == 1 => Task.FromResult<IVaultReply>(new WriteRefused("late", false)),
                _ when i % 100 == 2 => throw new InvalidOperationException("broken"),
                _ => Task.FromResult<IVaultReply>(new ObjectStored(Stored)),
            };
        }

        var result = await LoadRunner.RunAsync(new LoadRequest(300, 8, rate, "t"), Operation);

        Assert.All(seen, n => Assert.Equal(1, n));
        Assert.Equal((300, 294, 3, 3), (result.Count, result.Acknowledged, result.TimedOut, result.Failed));
        Assert.Equal(300, result.Latency.Samples);
        Assert.NotNull(result.FirstFailure);
    }

    [Fact]
    public async Task A_stretch_in_which_nothing_is_acknowledged_is_reported_with_where_it_starts()
    {
        // From the 100th operation on, nothing completes until a 300 ms stall is over: acknowledgements stop.
        var stall = new Lazy<Task>(() => Task.Delay(300));
        async Task<IVaultReply> Operation(int i)
        {
            if (i >= 100)
            {
                await stall.Value;
            }

            return new ObjectStored(Stored);
        }

        var result = await LoadRunner.RunAsync(new LoadRequest(400, LoadRequest.MaxConcurrency, 1000, "t"), Operation);

        var longest = Assert.IsType<IReadOnlyList<WriteGap.Gap>>(result.LongestWaits, exactMatch: false)[0];
        Assert.True(longest.LengthMs >= 250, $"longest wait {longest.LengthMs:0} ms");
        Assert.InRange(longest.StartMs, 0, result.Seconds * 1000 - longest.LengthMs);
        Assert.Contains("longest waits for an acknowledgement", result.ToString());
    }

    [Fact]
    public void Jit_activity_counts_the_methods_compiled_in_between()
    {
        // A method that exists only from now on: invoking it makes the JIT compile it once.
        var method = new System.Reflection.Emit.DynamicMethod($"fresh{Guid.NewGuid():N}", typeof(int), Type.EmptyTypes);
        var il = method.GetILGenerator();
        il.Emit(System.Reflection.Emit.OpCodes.Ldc_I4, 42);
        il.Emit(System.Reflection.Emit.OpCodes.Ret);
        var before = JitActivity.Now();
        Assert.Equal(42, (int)method.Invoke(null, null)!);
        var compiled = JitActivity.Now().Since(before);
        Assert.True(compiled.Methods >= 1, $"{compiled.Methods} methods");
        Assert.True(compiled.CompileMs > 0, $"{compiled.CompileMs} ms");
    }
}
