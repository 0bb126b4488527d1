using System.Text;
using Akka.Actor;

namespace OkvActors.Cluster.Audit;

/// <summary>A read of the audit log failed; the export written so far is incomplete.</summary>
public sealed class AuditReadException(string message) : Exception(message);

/// <summary>Exports a node's audit log as JSON lines, page by page through <see cref="ReadAudit"/>.</summary>
public static class AuditExport
{
    /// <summary>
    /// Writes every entry from <paramref name="fromSequence"/> on to <paramref name="output"/> (UTF-8, one
    /// entry per line) and returns how many were written. Memory stays at one page whatever the log's size.
    /// </summary>
    public static async Task<long> WriteJsonLinesAsync(
        IActorRef auditLog, Stream output, TimeSpan timeout, int pageSize = 1000, long fromSequence = 1, CancellationToken cancellationToken = default)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), leaveOpen: true);
        var written = 0L;
        var next = fromSequence;
        while (true)
        {
            var answer = await auditLog.Ask<object>(new ReadAudit(next, pageSize), timeout, cancellationToken);
            var page = answer switch
            {
                AuditRead read => read,
                AuditReadFailed failed => throw new AuditReadException($"audit log read from entry {next} failed: {failed.Reason}"),
                _ => throw new AuditReadException($"audit log answered {answer.GetType().Name} to a read"),
            };
            if (page.Entries.Count == 0)
            {
                break;
            }

            // Asynchronously: the output may be an HTTP response, which refuses synchronous writes.
            foreach (var entry in page.Entries)
            {
                await writer.WriteAsync(AuditJsonLines.ToLine(entry).AsMemory(), cancellationToken);
                await writer.WriteAsync("\n".AsMemory(), cancellationToken);
            }

            written += page.Entries.Count;
            next = page.NextSequence;
        }

        await writer.FlushAsync(cancellationToken);
        return written;
    }

    /// <summary>Exports the whole log to a new file at <paramref name="path"/>.</summary>
    public static async Task<long> WriteJsonLinesAsync(IActorRef auditLog, string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        return await WriteJsonLinesAsync(auditLog, file, timeout, cancellationToken: cancellationToken);
    }
}
