using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;
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
            if (Force && !WhatIfRequested() || ShouldProcess($"{f.Uri} -> {target}", "Save log file")) _files.Add(f);
        }
    }

    private bool WhatIfRequested() => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true };

    protected override void EndProcessing()
    {
        if (_files.Count == 0) return;
        var clock = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        using var reader = _files.Any(f => f.IsS3) ? new S3Reader(GetAwsSession(requireRegion: false)) : null;
        var acquirer = new LogAcquirer(reader, _destination);
        var results = new List<AcquiredObject>(_files.Count);
        long totalBytes = _files.Sum(f => f.Size), doneBytes = 0;
        var progressClock = Stopwatch.StartNew();
        foreach (var r in Iterate(acquirer.AcquireAsync(_files, ThrottleLimit, CancellationToken)))
        {
            results.Add(r);
            doneBytes += r.Size;
            if (r.Status == AcquisitionStatus.Failed)
                WriteError(r.Exception is AwsException a
                    ? AwsErrors.ToErrorRecord(a, r.SourceUri)
                    : new ErrorRecord(r.Exception ?? new IOException(r.Error), "SaveFailed", ErrorCategory.WriteError, r.SourceUri));
            else
                WriteVerbose($"{r.Status}: {r.SourceUri} ({r.Size:N0} bytes, SHA-256 {r.Sha256})");
            if (progressClock.ElapsedMilliseconds >= 250 || results.Count == _files.Count)
            {
                progressClock.Restart();
                WriteProgress(new ProgressRecord(1, "Saving CloudTrail logs", $"{results.Count:N0} of {_files.Count:N0} files, {doneBytes / 1048576.0:N1} of {totalBytes / 1048576.0:N1} MiB")
                {
                    PercentComplete = (int)(100L * results.Count / _files.Count),
                    CurrentOperation = r.SourceUri,
                });
            }
        }
        WriteProgress(new ProgressRecord(1, "Saving CloudTrail logs", "Done") { RecordType = ProgressRecordType.Completed });

        var manifest = new AcquisitionManifest
        {
            IrTrailVersion = typeof(LogFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            Operator = Environment.UserDomainName is { Length: > 0 } d && d != Environment.MachineName ? $"{d}\\{Environment.UserName}" : Environment.UserName,
            Host = Environment.MachineName,
            StartedUtc = started,
            CompletedUtc = DateTime.UtcNow,
            Parameters = new Dictionary<string, string?>
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
            },
            Objects = results.OrderBy(o => o.SourceUri, StringComparer.Ordinal).ToList(),
        };
        string? manifestPath = null;
        try
        {
            manifestPath = acquirer.WriteManifest(manifest);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, "ManifestWriteFailed", ErrorCategory.WriteError, _destination));
        }
        WriteObject(new LogAcquisitionResult
        {
            Destination = _destination,
            ManifestPath = manifestPath,
            Downloaded = results.Count(r => r.Status == AcquisitionStatus.Downloaded),
            AlreadyPresent = results.Count(r => r.Status == AcquisitionStatus.AlreadyPresent),
            Failed = results.Count(r => r.Status == AcquisitionStatus.Failed),
            Bytes = results.Where(r => r.Status != AcquisitionStatus.Failed).Sum(r => r.Size),
            Elapsed = clock.Elapsed,
        });
    }
}
