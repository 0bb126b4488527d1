using System.Buffers.Binary;
using System.Text;

namespace OkvActors.Chaos.Checks;

/// <summary>
/// Looks for known key material in files, as raw bytes, as hex (either case) and as base64: one pass per file,
/// indexing every needle by its first 8 bytes, so thousands of keys over megabytes of store and log stay cheap.
/// </summary>
public static class PlaintextScanner
{
    public static IReadOnlyList<PlaintextFinding> Scan(IEnumerable<string> files, IReadOnlyList<(string Uid, byte[] Material)> secrets)
    {
        var needles = new Dictionary<ulong, List<(byte[] Needle, string Uid, string Encoding)>>();
        foreach (var (uid, material) in secrets.Where(s => s.Material.Length >= 8))
        {
            foreach (var (needle, encoding) in new[]
                     {
                         (material, "raw"),
                         (Encoding.ASCII.GetBytes(Convert.ToHexStringLower(material)), "hex"),
                         (Encoding.ASCII.GetBytes(Convert.ToHexString(material)), "HEX"),
                         (Encoding.ASCII.GetBytes(Convert.ToBase64String(material).TrimEnd('=')), "base64"),
                     })
            {
                var key = BinaryPrimitives.ReadUInt64LittleEndian(needle);
                if (!needles.TryGetValue(key, out var list))
                {
                    needles[key] = list = [];
                }

                list.Add((needle, uid, encoding));
            }
        }

        var findings = new List<PlaintextFinding>();
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            for (var i = 0; i + 8 <= bytes.Length; i++)
            {
                if (!needles.TryGetValue(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i)), out var candidates))
                {
                    continue;
                }

                foreach (var (needle, uid, encoding) in candidates)
                {
                    if (i + needle.Length <= bytes.Length && bytes.AsSpan(i, needle.Length).SequenceEqual(needle))
                    {
                        findings.Add(new PlaintextFinding(file, i, uid, encoding));
                    }
                }
            }
        }

        return findings;
    }
}
