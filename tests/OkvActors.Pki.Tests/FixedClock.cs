namespace OkvActors.Pki.Tests;

/// <summary>A clock that always reports the same instant, for checks that depend on "now".</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
