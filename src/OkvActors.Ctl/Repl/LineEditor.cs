using System.Text;

namespace OkvActors.Ctl.Repl;

/// <summary>
/// A small line editor for the REPL: history (Up/Down, kept in a file between sessions), cursor
/// movement and Tab completion of the word before the cursor. When input is not a terminal it reads
/// plain lines, so scripts can pipe commands in.
/// </summary>
public sealed class LineEditor(Func<IReadOnlyList<string>, string, IReadOnlyList<string>> complete, string? historyFile)
{
    private const int HistoryLimit = 500;
    private readonly List<string> _history = Load(historyFile);

    private static List<string> Load(string? path)
    {
        try
        {
            return path is not null && File.Exists(path) ? File.ReadAllLines(path).TakeLast(HistoryLimit).ToList() : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    public void Remember(string line)
    {
        if (line.Length == 0 || (_history.Count > 0 && _history[^1] == line))
        {
            return;
        }

        _history.Add(line);
        try
        {
            if (historyFile is not null)
            {
                File.AppendAllLines(historyFile, [line]);
            }
        }
        catch (IOException)
        {
            // History is a convenience; a read-only home directory must not stop the REPL.
        }
    }

    /// <summary>The next line, or null at end of input (Ctrl-D on an empty line).</summary>
    public string? ReadLine(string prompt)
    {
        Console.Write(prompt);
        if (Console.IsInputRedirected)
        {
            return Console.ReadLine();
        }

        var buffer = new StringBuilder();
        var cursor = 0;
        var recall = _history.Count;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return buffer.ToString();
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < buffer.Length:
                    buffer.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.UpArrow when recall > 0:
                    buffer.Clear().Append(_history[--recall]);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.DownArrow when recall < _history.Count:
                    recall++;
                    buffer.Clear().Append(recall < _history.Count ? _history[recall] : "");
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.Tab:
                    cursor = Complete(buffer, cursor, prompt);
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && buffer.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        buffer.Insert(cursor++, key.KeyChar);
                    }

                    break;
            }

            Redraw(prompt, buffer, cursor);
        }
    }

    private int Complete(StringBuilder buffer, int cursor, string prompt)
    {
        var before = buffer.ToString(0, cursor);
        var start = before.LastIndexOf(' ') + 1;
        var partial = before[start..];
        var words = before[..start].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var candidates = complete(words, partial).Where(c => c.StartsWith(partial, StringComparison.Ordinal)).Distinct().ToArray();
        if (candidates.Length == 0)
        {
            return cursor;
        }

        var common = candidates.Aggregate((a, b) => a[..a.Zip(b).TakeWhile(p => p.Item1 == p.Item2).Count()]);
        if (candidates.Length == 1)
        {
            common += " ";
        }
        else if (common.Length == partial.Length)
        {
            Console.WriteLine();
            Console.WriteLine(string.Join("  ", candidates));
            Console.Write(prompt);
        }

        buffer.Insert(cursor, common[partial.Length..]);
        return cursor + common.Length - partial.Length;
    }

    private static void Redraw(string prompt, StringBuilder buffer, int cursor)
    {
        Console.Write($"\r{prompt}{buffer}\u001b[K");
        var back = buffer.Length - cursor;
        if (back > 0)
        {
            Console.Write($"\u001b[{back}D");
        }
    }
}
