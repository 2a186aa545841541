using System.Runtime.CompilerServices;
using IrTrail.Core.Sources;

namespace IrTrail.Core.Reading;

/// <summary>Reads one source into events (or issues), applying an optional filter.</summary>
public static class CloudTrailEventReader
{
    public static async IAsyncEnumerable<ReadItem> ReadAsync(ILogSource source, SourceReadResult result, EventFilter? filter = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Stream stream;
        ReadIssue? openFault = null;
        try
        {
            stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CloudTrailFormatException)
        {
            stream = Stream.Null;
            openFault = new ReadIssue(source.Uri, (ex as CloudTrailFormatException)?.Kind ?? ReadFaultKind.Unreadable,
                $"Cannot open '{source.Uri}': {ex.Message}", null, null, true, ex);
        }
        if (openFault is not null)
        {
            result.Fault = openFault;
            yield return new ReadItem(null, openFault);
            yield break;
        }

        using var _ = stream;
        using var scanner = new JsonRecordScanner(stream);
        if (filter is { IsEmpty: true }) filter = null;
        while (true)
        {
            ReadOnlyMemory<byte>? record;
            ReadIssue? fault = null;
            try
            {
                record = await scanner.NextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CloudTrailFormatException ex)
            {
                record = null;
                fault = new ReadIssue(source.Uri, ex.Kind, $"'{source.Uri}': {ex.Message}", ex.ByteOffset, ex.RecordIndex, true, ex);
            }
            catch (IOException ex)
            {
                record = null;
                fault = new ReadIssue(source.Uri, ReadFaultKind.Unreadable, $"'{source.Uri}': read failed after {scanner.BytesConsumed:N0} bytes: {ex.Message}",
                    scanner.BytesConsumed, scanner.RecordCount, true, ex);
            }
            result.Shape = scanner.Shape;
            result.Compressed = scanner.Compressed;
            result.BytesRead = scanner.BytesConsumed;
            if (fault is not null)
            {
                result.Fault = fault;
                yield return new ReadItem(null, fault);
                yield break;
            }
            if (record is null) break;

            var index = scanner.RecordCount - 1;
            result.Records++;
            Model.CloudTrailEvent? ev = null;
            ReadIssue? recordIssue = null;
            try
            {
                ev = CloudTrailRecordParser.Parse(record.Value, source.Uri, index, requireEventFields: scanner.Shape == FileShape.Objects);
            }
            catch (CloudTrailFormatException ex)
            {
                recordIssue = new ReadIssue(source.Uri, ex.Kind, $"'{source.Uri}': {ex.Message}", scanner.LastRecordOffset, index, false, ex);
            }
            if (recordIssue is not null)
            {
                // A file whose very first value is not CloudTrail is simply not a CloudTrail file: stop there.
                if (index == 0 && scanner.Shape == FileShape.Objects)
                {
                    recordIssue = recordIssue with { EndedSource = true, Message = $"'{source.Uri}' is JSON but not CloudTrail: its first object has none of eventVersion, eventTime, eventName, eventSource or eventID." };
                    result.Fault = recordIssue;
                    yield return new ReadItem(null, recordIssue);
                    yield break;
                }
                result.RecordErrors++;
                yield return new ReadItem(null, recordIssue);
                continue;
            }
            if (filter is not null && !filter.Matches(ev!)) continue;
            result.EventsEmitted++;
            yield return new ReadItem(ev, null);
        }
        result.Shape = scanner.Shape;
        result.BytesRead = scanner.BytesConsumed;
        result.SkippedReason = scanner.Shape switch
        {
            FileShape.Digest => "a CloudTrail digest file, not events",
            FileShape.Empty => "empty",
            _ => null,
        };
    }
}
