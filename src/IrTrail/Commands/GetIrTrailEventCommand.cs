using System.Diagnostics;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Aws;
using IrTrail.Core.Model;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;

namespace IrTrail.Commands;

/// <summary>
/// Streams CloudTrail events from .json / .json.gz files and folders, or from S3 objects read in place (IrTrail.LogFile
/// objects from Get-IrTrailLogFile), as typed objects, with filters.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IrTrailEvent", DefaultParameterSetName = PathSet)]
[OutputType(typeof(CloudTrailEvent))]
public sealed class GetIrTrailEventCommand : LogInputCmdlet
{
    [Parameter] public DateTime? StartTime { get; set; }
    [Parameter] public DateTime? EndTime { get; set; }
    [Parameter] [SupportsWildcards] public string[]? EventName { get; set; }
    [Parameter] [SupportsWildcards] public string[]? EventSource { get; set; }
    [Parameter] [Alias("IpAddress")] [SupportsWildcards] public string[]? SourceIPAddress { get; set; }
    [Parameter] [SupportsWildcards] public string[]? UserName { get; set; }
    [Parameter] [SupportsWildcards] public string[]? AccessKeyId { get; set; }
    [Parameter] [SupportsWildcards] public string[]? ErrorCode { get; set; }
    [Parameter] public SwitchParameter ReadOnly { get; set; }
    [Parameter] public SwitchParameter WriteOnly { get; set; }

    private EventFilter? _filter;
    private readonly ReadSummary _summary = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Stopwatch _progressClock = Stopwatch.StartNew();
    private const int ProgressId = 1;

    protected override void BeginProcessing()
    {
        if (ReadOnly && WriteOnly)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-ReadOnly and -WriteOnly exclude each other: use one, or neither for all events."),
                "ReadOnlyAndWriteOnly", ErrorCategory.InvalidArgument, null));
        if (StartTime is { } s && EndTime is { } e && e < s)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-EndTime ({e:O}) is before -StartTime ({s:O})."),
                "EndBeforeStart", ErrorCategory.InvalidArgument, null));
        _filter = new EventFilter
        {
            StartTime = StartTime,
            EndTime = EndTime,
            EventName = EventName,
            EventSource = EventSource,
            SourceIPAddress = SourceIPAddress,
            UserName = UserName,
            AccessKeyId = AccessKeyId,
            ErrorCode = ErrorCode,
            ReadOnly = ReadOnly ? true : WriteOnly ? false : null,
        };
    }

    private readonly PrefetchQueue _prefetch = new();
    private int _logFiles;

    private void DrainPrefetch()
    {
        while (_prefetch.Count > 0) ReadSource(_prefetch.Dequeue(), _logFiles, 0);
    }

    protected override void ProcessRecord()
    {
        if (FromLogFiles)
        {
            foreach (var f in LogFile)
            {
                var source = OpenLogFile(f);
                // Small S3 objects download a few ahead while the current one is parsed; order is kept.
                if (!f.IsS3 || !PrefetchQueue.CanPrefetch(source)) DrainPrefetch();
                if (f.IsS3 && PrefetchQueue.CanPrefetch(source))
                {
                    _prefetch.Enqueue(source);
                    while (_prefetch.IsFull) ReadSource(_prefetch.Dequeue(), _logFiles++, 0);
                }
                else
                {
                    ReadSource(source, _logFiles++, 0);
                }
            }
            return;
        }
        foreach (var (path, isFolder) in ResolveLocalPaths((source, why) => _summary.Failed.Add((source, why))))
        {
            if (!isFolder) { ReadSource(new LocalFileSource(path), 0, 1); continue; }
            // Counted first (for the progress bar), then walked as it is read: a folder's files are never listed whole.
            var (count, _) = LogFileNames.Measure(path);
            WriteVerbose($"Found {count:N0} log files under '{path}'.");
            var i = 0;
            foreach (var file in LogFileNames.Enumerate(path, FolderUnreadable)) ReadSource(new LocalFileSource(file), i++, count);
        }
    }

    /// <summary>A folder (or one below it) that cannot be listed: reported, and the rest is read.</summary>
    private void FolderUnreadable(string folder, Exception ex)
    {
        _summary.Failed.Add((folder, ex.Message));
        WriteError(new ErrorRecord(ex, "FolderUnreadable", ErrorCategory.ReadError, folder));
    }

    private void ReadSource(ILogSource source, int index, int count)
    {
        // count 0: pipeline input of unknown length (LogFile objects) - files so far, no percentage.
        if ((count > 1 || count == 0 && index > 0) && _progressClock.ElapsedMilliseconds >= 250)
        {
            _progressClock.Restart();
            var rate = _summary.Events / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            var files = count > 0 ? $"{index:N0} of {count:N0} files" : $"{index:N0} files";
            WriteProgress(new ProgressRecord(ProgressId, "Reading CloudTrail logs", $"{files}, {_summary.Events:N0} events ({rate:N0}/s)")
            {
                PercentComplete = count > 0 ? (int)Math.Min(100, 100L * index / count) : -1,
                CurrentOperation = source.Uri,
            });
        }
        var result = new SourceReadResult { Source = source.Uri };
        foreach (var item in Iterate(CloudTrailEventReader.ReadAsync(source, result, _filter, CancellationToken)))
        {
            if (item.Event is not null)
            {
                _summary.Events++;
                WriteObject(Typed(item.Event));
            }
            else if (item.Issue is not null)
            {
                // S3 failures (denied, missing, KMS) keep their own ids and categories; everything else as before.
                WriteError(item.Issue.Exception is AwsException aws ? AwsErrors.ToErrorRecord(aws, item.Issue.Source) : ReadErrors.ToErrorRecord(item.Issue));
            }
        }
        _summary.Add(result);
        if (result.SkippedReason is not null) WriteVerbose($"Skipped '{source.Uri}': {result.SkippedReason}.");
    }

    /// <summary>The short, stable type name views and scripts key on (the .NET name is an implementation detail).</summary>
    internal const string EventTypeName = "IrTrail.CloudTrailEvent";

    private static PSObject Typed(CloudTrailEvent e)
    {
        var o = PSObject.AsPSObject(e);
        o.TypeNames.Insert(0, EventTypeName);
        return o;
    }

    protected override void EndProcessing()
    {
        DrainPrefetch();
        _prefetch.Dispose();
        CloseLogFiles();
        WriteProgress(new ProgressRecord(ProgressId, "Reading CloudTrail logs", "Done") { RecordType = ProgressRecordType.Completed });
        WriteVerbose(_summary.Describe(_clock.Elapsed));
    }
}
