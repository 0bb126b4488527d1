namespace OkvActors.KeyStore.Tests.Support;

/// <summary>A wall clock the test moves by hand (forwards or backwards); it never moves on its own.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start.ToUniversalTime();

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
