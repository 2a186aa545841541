using System.Diagnostics;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Dataset;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;

namespace IrTrail.Commands;

/// <summary>
/// Converts CloudTrail logs (files, folders, wildcards, a pipeline of files) into IrTrail's partitioned Parquet dataset:
/// lossless, deduplicated by eventID, incremental (a manifest records every source), and safe to interrupt.
/// </summary>
[Cmdlet(VerbsData.Convert, "IrTrailToParquet", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ConversionResult))]
public sealed class ConvertIrTrailToParquetCommand : LogInputCmdlet
{
    private const int ProgressId = 2;

    /// <summary>The dataset folder (created when missing).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter] public SwitchParameter KeepDuplicates { get; set; }

    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    [Parameter] public SwitchParameter Force { get; set; }

    /// <summary>LogFile input in order (spooled to disk past a few thousand), opened when the run reads it; the same
    /// object twice is taken once (by a hash of its URI).</summary>
    private readonly SpooledLogFiles _logFiles = new();
    private readonly HashSet<UInt128> _seen = [];
    private long _logFileBytes;
    private bool _anyS3;
    /// <summary>Local input in order: files (spooled to disk past a few thousand), and folders to be walked when the run
    /// reads them (never listed whole).</summary>
    private readonly SpooledInputs _local = new();
    private int _pathFailures;

    protected override void ProcessRecord()
    {
        if (FromLogFiles)
        {
            foreach (var f in LogFile)
            {
                if (!_seen.Add(DatasetManifest.UriKey(f.Uri))) continue;
                _logFiles.Add(f);
                _logFileBytes += f.Size;
                _anyS3 |= f.IsS3;
            }
            return;
        }
        foreach (var (path, isFolder) in ResolveLocalPaths((_, _) => _pathFailures++)) _local.Add(path, isFolder);
    }

    /// <summary>The local sources, produced as the run takes them; a folder that cannot be listed takes the place of
    /// its files as a source that fails (the run reports it and goes on).</summary>
    private IEnumerable<ILogSource> LocalSources()
    {
        foreach (var (path, isFolder) in _local.Items())
        {
            if (!isFolder) { yield return new LocalFileSource(path); continue; }
            var unreadable = new Queue<ILogSource>();
            foreach (var file in LogFileNames.Enumerate(path, (dir, ex) => unreadable.Enqueue(new UnreadableSource(dir, ex))))
            {
                while (unreadable.TryDequeue(out var u)) yield return u;
                yield return new LocalFileSource(file);
            }
            while (unreadable.TryDequeue(out var u)) yield return u;
        }
    }

    /// <summary>How many files and bytes the local input holds: a walk that keeps only the counts.</summary>
    private (int Files, long Bytes) CountLocal()
    {
        var seen = new HashSet<UInt128>(); // hashes, not paths: the input may be millions of piped files
        var (files, bytes) = (0, 0L);
        foreach (var (path, isFolder) in _local.Items())
        {
            // Counted once however often named, as the run reads it (a file inside a folder also named is counted twice:
            // this is for progress only); folders are counted without holding their files.
            if (!seen.Add(DatasetManifest.UriKey(path))) continue;
            var (f, b) = isFolder ? LogFileNames.Measure(path) : (1, new LocalFileSource(path).Length ?? 0);
            (files, bytes) = (files + f, bytes + b);
        }
        return (files, bytes);
    }

    protected override void EndProcessing()
    {
        try { Convert(); }
        finally { CloseLogFiles(); }
    }

    /// <summary>At the end of the pipeline, stopped or not: deletes the spool file.</summary>
    protected override void ReleaseResources()
    {
        _local.Dispose();
        _logFiles.Dispose();
    }

    private void Convert()
    {
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        var (count, bytes) = FromLogFiles ? (_logFiles.Count, _logFileBytes) : CountLocal();
        var exists = Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any();
        var action = $"Convert {count:N0} log file(s) ({bytes / 1048576.0:N1} MB) into a Parquet dataset" +
                     (exists ? Force ? ", replacing the existing dataset" : ", adding to the existing dataset" : "");
        if (!ShouldProcess(destination, action))
        {
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf")) WriteWhatIfDetail(destination);
            return;
        }
        if (exists && Force)
        {
            try { DatasetConverter.Clear(destination); }
            catch (Exception ex) when (ex is DatasetException or IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DatasetNotReplaced", ErrorCategory.InvalidOperation, destination));
            }
        }

        var converter = new DatasetConverter();
        var options = new ConversionOptions
        {
            Destination = destination, KeepDuplicates = KeepDuplicates, ThrottleLimit = ThrottleLimit, ExpectedFiles = count, ExpectedBytes = bytes,
        };
        var clock = Stopwatch.StartNew();
        // Credentials are resolved here, on the pipeline thread (a failure is a terminating error); the readers then open
        // each object as they take it.
        if (_anyS3) PrepareS3();
        var sources = FromLogFiles ? _logFiles.Items().Select(OpenLogFile) : LocalSources();
        var task = Task.Run(() => converter.RunAsync(sources, options, CancellationToken));
        // The engine runs on worker threads; errors and progress are written here, on the pipeline thread.
        while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(250))
        {
            Drain(converter);
            WriteProgressRecord(converter.Progress, clock.Elapsed);
        }
        Drain(converter);
        WriteProgress(new ProgressRecord(ProgressId, "Converting CloudTrail logs to Parquet", "Done") { RecordType = ProgressRecordType.Completed });
        ConversionResult result;
        try
        {
            result = task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (DatasetException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "DatasetUnusable", ErrorCategory.InvalidArgument, destination));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "DatasetWriteFailed", ErrorCategory.WriteError, destination));
            return;
        }
        result.FilesFailed += _pathFailures;
        var why = result.SkipReasons.Count > 0 ? $" ({string.Join("; ", result.SkipReasons.Select(r => $"{r.Value:N0} {r.Key}"))})" : "";
        WriteVerbose($"{result.FilesRead:N0} files read, {result.FilesUnchanged:N0} already in the dataset, {result.FilesSkipped:N0} skipped{why}, " +
                     $"{result.FilesFailed:N0} failed; {result.EventsIn:N0} events, {result.Duplicates:N0} duplicates dropped, " +
                     $"{result.EventsWritten:N0} written to {result.FilesWritten:N0} files in {result.Partitions:N0} partitions, {result.Elapsed.TotalSeconds:N1} s.");
        WriteObject(result);
    }

    private void WriteWhatIfDetail(string destination)
    {
        foreach (var uri in (FromLogFiles ? _logFiles.Items().Select(f => f.Uri) : LocalSources().Select(s => s.Uri)).Take(20))
            WriteVerbose($"Would read '{uri}'.");
        WriteVerbose($"Would write Parquet files under '{destination}' ({DatasetSchema.AccountKey}=/{DatasetSchema.RegionKey}=/{DatasetSchema.DateKey}=) and its manifest in '{DatasetManifest.FolderName}'.");
    }

    private void Drain(DatasetConverter converter)
    {
        while (converter.Issues.TryDequeue(out var issue)) WriteError(ReadErrors.ToErrorRecord(issue));
    }

    private void WriteProgressRecord(ConversionProgress p, TimeSpan elapsed)
    {
        var rate = p.Events / Math.Max(elapsed.TotalSeconds, 0.001);
        var record = new ProgressRecord(ProgressId, "Converting CloudTrail logs to Parquet",
            $"{p.Phase}: {p.FilesDone:N0}{(p.FilesTotal > 0 ? $" of {p.FilesTotal:N0}" : "")} files, {p.Events:N0} events ({rate:N0}/s)")
        {
            CurrentOperation = p.Current ?? "",
        };
        if (p.BytesTotal > 0)
        {
            var fraction = Math.Clamp((double)p.BytesIn / p.BytesTotal, 0, 1);
            record.PercentComplete = (int)(fraction * 100);
            if (fraction > 0.01) record.SecondsRemaining = (int)(elapsed.TotalSeconds * (1 - fraction) / fraction);
        }
        WriteProgress(record);
    }
}
