using System.Diagnostics;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Aws;

namespace IrTrail.Commands;

/// <summary>
/// Acquires CloudTrail log files into a case folder: parallel, verified, resumable, with a chain-of-custody manifest.
/// </summary>
[Cmdlet(VerbsData.Save, "IrTrailLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(LogAcquisitionResult))]
public sealed class SaveIrTrailLogCommand : AwsCmdlet
{
    /// <summary>IrTrail.LogFile objects from Get-IrTrailLogFile.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LogFile[] InputObject { get; set; } = [];

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>Region to address buckets whose region the LogFile objects do not carry.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    public string? Region { get; set; }

    [Parameter] public SwitchParameter Force { get; set; }

    protected override string? RequestedRegion => Region;

    private readonly List<LogFile> _files = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private string _destination = "";

    protected override void BeginProcessing() =>
        _destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);

    protected override void ProcessRecord()
    {
        foreach (var f in InputObject)
        {
            if (!_seen.Add(f.Uri)) continue;
            var target = System.IO.Path.Combine(_destination, LogAcquirer.RelativePathOf(f));
            if (ShouldProcess($"{f.Uri} -> {target}", "Save log file", Force)) _files.Add(f);
        }
    }

    protected override void EndProcessing()
    {
        if (_files.Count == 0) return;
        try
        {
            Directory.CreateDirectory(_destination);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing can be saved (a file in the way, no permission): one terminating error, not one per object.
            ThrowTerminatingError(new ErrorRecord(ex, "DestinationUnwritable", ErrorCategory.WriteError, _destination));
        }
        var clock = Stopwatch.StartNew();
        using var reader = _files.Any(f => f.IsS3) ? new S3Reader(GetAwsSession(requireRegion: false)) : null;
        var run = new AcquisitionRun(new LogAcquirer(reader, _destination), ManifestParameters());
        long totalBytes = _files.Sum(f => f.Size), doneBytes = 0;
        var done = 0;
        var progressClock = Stopwatch.StartNew();
        try
        {
            foreach (var r in Iterate(run.AcquireAsync(_files, ThrottleLimit, CancellationToken)))
            {
                doneBytes += r.Size;
                if (r.Status == AcquisitionStatus.Failed)
                    WriteError(r.Exception is AwsException a
                        ? AwsErrors.ToErrorRecord(a, r.SourceUri)
                        : new ErrorRecord(r.Exception ?? new IOException(r.Error), "SaveFailed", ErrorCategory.WriteError, r.SourceUri));
                else
                    WriteVerbose($"{r.Status}: {r.SourceUri} ({r.Size:N0} bytes, SHA-256 {r.Sha256})");
                done++;
                if (progressClock.ElapsedMilliseconds >= 250 || done == _files.Count)
                {
                    progressClock.Restart();
                    WriteProgress(new ProgressRecord(1, "Saving CloudTrail logs", $"{done:N0} of {_files.Count:N0} files, {doneBytes / 1048576.0:N1} of {totalBytes / 1048576.0:N1} MiB")
                    {
                        PercentComplete = (int)(100L * done / _files.Count),
                        CurrentOperation = r.SourceUri,
                    });
                }
            }
        }
        catch (Exception stop) when (stop is OperationCanceledException or PipelineStoppedException && (Stopping || CancellationToken.IsCancellationRequested))
        {
            // Stopped (Ctrl+C) — while waiting for downloads, or while writing a record: the downloads have ended (the
            // enumeration's disposal waits for them), and what was saved still gets its custody record, marked interrupted.
            try { run.WriteManifest(interrupted: true); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            throw new PipelineStoppedException();
        }
        WriteProgress(new ProgressRecord(1, "Saving CloudTrail logs", "Done") { RecordType = ProgressRecordType.Completed });

        string? manifestPath = null;
        try
        {
            manifestPath = run.WriteManifest();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, "ManifestWriteFailed", ErrorCategory.WriteError, _destination));
        }
        WriteObject(run.Summarize(_destination, manifestPath, clock.Elapsed));
    }

    /// <summary>The command's parameters as the manifest records them (never a secret: an explicit credential by its key id).</summary>
    private Dictionary<string, string?> ManifestParameters() => new()
    {
        ["Destination"] = _destination,
        ["ThrottleLimit"] = ThrottleLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ProfileName"] = ProfileName,
        ["Region"] = Region,
        ["EndpointUrl"] = EndpointUrl,
        ["ProfileLocation"] = ProfileLocation,
        ["Credential"] = Credential is null ? null : "(explicit; access key id " + Credential.UserName + ")",
        ["InputObjects"] = _files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CommandLine"] = MyInvocation.Line?.Trim(),
    };
}
