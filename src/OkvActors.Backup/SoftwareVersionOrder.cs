namespace OkvActors.Backup;

/// <summary>
/// Orders software versions ("0.1.0", "1.2.3-rc1"): by their numeric parts, the pre-release tag ignored.
/// A version that has no numeric part is never called newer, so an odd string can't block a restore on its own.
/// </summary>
public static class SoftwareVersionOrder
{
    public static bool IsNewer(string candidate, string than) =>
        Parse(candidate) is { } a && Parse(than) is { } b && a > b;

    private static Version? Parse(string text)
    {
        var numeric = text.Split('-', '+')[0].Trim().TrimStart('v');
        var parts = numeric.Split('.');
        if (parts.Length is < 1 or > 4 || parts.Any(p => !int.TryParse(p, out var n) || n < 0))
        {
            return null;
        }

        var numbers = parts.Select(int.Parse).Concat(Enumerable.Repeat(0, 4 - parts.Length)).ToArray();
        return new Version(numbers[0], numbers[1], numbers[2], numbers[3]);
    }
}
