namespace OkvActors.Ctl.Output;

/// <summary>
/// An aligned text table: columns as wide as their widest cell. Colour (ANSI) is applied after
/// padding, so escape codes never disturb the alignment, and only when the output is a terminal.
/// </summary>
public sealed class Table(params string[] headers)
{
    private readonly List<(string Text, Paint Paint)[]> _rows = [];

    public int Count => _rows.Count;

    public Table Add(params (string Text, Paint Paint)[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public Table Add(params string[] cells) => Add(cells.Select(c => (c, Paint.None)).ToArray());

    public void Write(TextWriter output, bool colour)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Select(r => i < r.Length ? r[i].Text.Length : 0).DefaultIfEmpty(0).Max()))
            .ToArray();
        output.WriteLine(Line(headers.Select(h => (h, Paint.Header)).ToArray(), widths, colour));
        foreach (var row in _rows)
        {
            output.WriteLine(Line(row, widths, colour));
        }
    }

    private static string Line((string Text, Paint Paint)[] cells, int[] widths, bool colour) =>
        string.Join(" | ", cells.Select((c, i) => Colour.Apply(i == cells.Length - 1 ? c.Text : c.Text.PadRight(widths[i]), c.Paint, colour)))
            .TrimEnd();
}

public enum Paint
{
    None,
    Header,
    Good,
    Warn,
    Bad,
}

public static class Colour
{
    /// <summary>True when stdout is a terminal and the user has not asked for no colour (NO_COLOR).</summary>
    public static bool ForStdout =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public static string Apply(string text, Paint paint, bool enabled) => !enabled || paint == Paint.None
        ? text
        : paint switch
        {
            Paint.Header => $"\u001b[1m{text}\u001b[0m",
            Paint.Good => $"\u001b[32m{text}\u001b[0m",
            Paint.Warn => $"\u001b[33m{text}\u001b[0m",
            _ => $"\u001b[31m{text}\u001b[0m",
        };
}
