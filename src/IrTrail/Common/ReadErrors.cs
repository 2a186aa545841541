using System.Management.Automation;
using IrTrail.Core.Reading;

namespace IrTrail.Common;

/// <summary>Maps engine read issues to stable error ids and real categories.</summary>
internal static class ReadErrors
{
    /// <param name="eventsBeforeFaultEmitted">False where the whole source was left out (raw-log queries): the issue's own
    /// message then says what was dropped, and no "events before the fault were emitted" is added.</param>
    public static ErrorRecord ToErrorRecord(ReadIssue issue, bool eventsBeforeFaultEmitted = true)
    {
        var (id, category) = issue.Kind switch
        {
            ReadFaultKind.CorruptCompression => ("CorruptGzip", ErrorCategory.InvalidData),
            ReadFaultKind.MalformedJson => ("MalformedJson", ErrorCategory.ParserError),
            ReadFaultKind.NotCloudTrail => (issue.EndedSource ? "NotCloudTrail" : "NotCloudTrailRecord", ErrorCategory.InvalidData),
            ReadFaultKind.RecordTooLarge => ("RecordTooLarge", ErrorCategory.LimitsExceeded),
            _ => issue.Exception switch
            {
                UnauthorizedAccessException => ("SourceAccessDenied", ErrorCategory.PermissionDenied),
                FileNotFoundException or DirectoryNotFoundException => ("SourceNotFound", ErrorCategory.ObjectNotFound),
                _ => ("SourceUnreadable", ErrorCategory.ReadError),
            },
        };
        var where = issue.RecordIndex is { } r ? $" (record {r}{(issue.ByteOffset is { } b ? $", byte {b:N0}" : "")})" : "";
        var message = issue.Message + (eventsBeforeFaultEmitted && issue.EndedSource && issue.RecordIndex > 0 ? $" Events before the fault were emitted." : "");
        var ex = new InvalidDataException(message, issue.Exception);
        var record = new ErrorRecord(ex, id, category, issue.Source)
        {
            ErrorDetails = new ErrorDetails(message + (where.Length > 0 && !message.Contains("record ") ? where : ""))
            {
                RecommendedAction = issue.Kind switch
                {
                    ReadFaultKind.CorruptCompression => "Acquire the file again (for example with Save-IrTrailLog); the rest of the files were read.",
                    ReadFaultKind.MalformedJson => "Check the file for truncation or editing; the rest of the files were read.",
                    ReadFaultKind.NotCloudTrail => "Point IrTrail at CloudTrail logs: {\"Records\":[...]}, arrays, or one event per line.",
                    _ => "Check that the path exists and is readable.",
                },
            },
        };
        return record;
    }
}
