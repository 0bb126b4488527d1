namespace OkvActors.Node.Tests.Infrastructure;

/// <summary>Waits for a condition on real processes (polling, never a fixed sleep), failing with what was last seen.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<(bool Done, T Value, string Seen)>> probe, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var seen = "nothing yet";
        do
        {
            try
            {
                var (done, value, description) = await probe();
                if (done)
                {
                    return value;
                }

                seen = description;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                seen = $"{e.GetType().Name}: {e.Message}";
            }
        }
        while (DateTime.UtcNow < deadline && await timer.WaitForNextTickAsync());

        throw new Xunit.Sdk.XunitException($"timed out after {timeout.TotalSeconds:0}s waiting for {what}; last seen: {seen}");
    }

    public static Task Until(Func<Task<bool>> probe, TimeSpan timeout, string what) =>
        Until(async () => (await probe(), true, "condition false"), timeout, what);

    public static Task Until(Func<bool> probe, TimeSpan timeout, string what) =>
        Until(() => Task.FromResult(probe()), timeout, what);

    /// <summary>A safety property observed over a window: fails as soon as <paramref name="happened"/> is seen.</summary>
    public static async Task Never(Func<bool> happened, TimeSpan window, string what)
    {
        var end = DateTime.UtcNow + window;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        do
        {
            if (happened())
            {
                throw new Xunit.Sdk.XunitException($"{what} happened within {window.TotalSeconds:0}s");
            }
        }
        while (DateTime.UtcNow < end && await timer.WaitForNextTickAsync());
    }
}
