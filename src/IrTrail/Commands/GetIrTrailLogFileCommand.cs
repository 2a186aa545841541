using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Aws;

namespace IrTrail.Commands;

/// <summary>
/// Finds CloudTrail delivery objects in S3 (or in a local copy of the layout) by account, region, day and kind,
/// listing only the prefixes the filters need, page by page.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IrTrailLogFile", DefaultParameterSetName = S3UriSet)]
[OutputType(typeof(LogFile))]
public sealed class GetIrTrailLogFileCommand : AwsCmdlet
{
    private const string S3UriSet = "S3Uri";
    private const string BucketSet = "Bucket";
    private const string PathSet = "Path";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = S3UriSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidatePattern("^[sS]3://[^/]+(/.*)?$")]
    public string[] S3Uri { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = BucketSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BucketName { get; set; } = "";

    [Parameter(ParameterSetName = BucketSet, ValueFromPipelineByPropertyName = true)]
    public string? Prefix { get; set; }

    /// <summary>A local folder holding the same layout (for example a Save-IrTrailLog case folder).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter]
    [ValidatePattern(@"^\d{12}$")]
    public string[]? Account { get; set; }

    /// <summary>Regions the events were recorded in (a filter). The bucket's own region is found automatically.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    public string[]? Region { get; set; }

    [Parameter] public DateTime? StartTime { get; set; }
    [Parameter] public DateTime? EndTime { get; set; }
    [Parameter] public LogFileKind[] Kind { get; set; } = [LogFileKind.Log];

    private int _found;

    protected override void BeginProcessing()
    {
        if (StartTime is { } s && EndTime is { } e && LogFileQuery.ToUtc(e) < LogFileQuery.ToUtc(s))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-EndTime ({e:O}) is before -StartTime ({s:O})."),
                "EndBeforeStart", ErrorCategory.InvalidArgument, null));
    }

    private LogFileQuery Query(string prefix) => new()
    {
        Prefix = prefix, Accounts = Account, Regions = Region, StartTime = StartTime, EndTime = EndTime,
        Kinds = Kind is { Length: > 0 } ? Kind : [LogFileKind.Log],
    };

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                foreach (var r in PathResolver.Resolve(this, Path, literal: false))
                {
                    if (r.Error is not null || !r.IsFolder)
                    {
                        WriteError(new ErrorRecord(r.Error ?? new DirectoryNotFoundException($"'{r.Input}' is not a folder."), "FolderNotFound", ErrorCategory.ObjectNotFound, r.Input));
                        continue;
                    }
                    var before = _found;
                    Find(new LocalLogStore(r.FullPath!), Query(""), null, null, r.FullPath!);
                    if (_found == before && !Directory.Exists(System.IO.Path.Combine(r.FullPath!, "AWSLogs")))
                        WriteWarning($"No AWSLogs/ folder below '{r.FullPath}': Get-IrTrailLogFile -Path expects the S3 key layout " +
                                     "(AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/). Get-IrTrailEvent -Path reads loose files and folders.");
                }
                break;
            case BucketSet:
                FindInBucket(BucketName, Prefix ?? "");
                break;
            default:
                foreach (var uri in S3Uri)
                {
                    S3Reader.TryParseUri(uri, out var bucket, out var key);
                    FindInBucket(bucket, key);
                }
                break;
        }
    }

    private void FindInBucket(string bucket, string prefix)
    {
        var session = GetAwsSession(requireRegion: false);
        string? bucketRegion;
        try
        {
            bucketRegion = Wait(S3LogStore.FindBucketRegionAsync(session, bucket, CancellationToken));
        }
        catch (AwsException ex)
        {
            WriteError(AwsErrors.ToErrorRecord(ex, $"s3://{bucket}"));
            return;
        }
        if (bucketRegion is not null)
        {
            WriteVerbose($"Bucket '{bucket}' is in {bucketRegion}.");
            if (session.Region is { } mine && !string.Equals(mine, bucketRegion, StringComparison.Ordinal))
                WriteWarning($"Bucket '{bucket}' is in {bucketRegion}, your session region is {mine}: reading it from outside {bucketRegion} costs data transfer.");
        }
        else if (session.EndpointUrl is null)
        {
            WriteVerbose($"The region of bucket '{bucket}' could not be found (s3:GetBucketLocation); using {session.Region ?? "us-east-1"}.");
        }
        using var store = new S3LogStore(session, bucket, bucketRegion);
        store.ListRequested += (p, d) => _listings.Enqueue((p, d));
        Find(store, Query(prefix), bucket, bucketRegion, $"s3://{bucket}/{prefix}");
    }

    // Listing requests are raised on engine threads; written as debug lines from the pipeline thread.
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Prefix, string? Delimiter)> _listings = new();

    private void Find(ILogStore store, LogFileQuery query, string? bucket, string? bucketRegion, string target)
    {
        try
        {
            foreach (var f in Iterate(LogFileFinder.FindAsync(store, query, bucket, bucketRegion, CancellationToken)))
            {
                FlushListings();
                _found++;
                WriteObject(f);
            }
            FlushListings();
        }
        catch (AwsException ex)
        {
            FlushListings();
            WriteError(AwsErrors.ToErrorRecord(ex, ex.Target ?? target));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, "FolderUnreadable", ErrorCategory.ReadError, target));
        }
    }

    private void FlushListings()
    {
        while (_listings.TryDequeue(out var l))
            WriteDebug(l.Delimiter is null ? $"ListObjectsV2 prefix '{l.Prefix}'" : $"ListObjectsV2 folders of '{l.Prefix}'{(l.Delimiter == S3LogStore.ScanMarker ? " (skip-scan)" : "")}");
    }

    protected override void EndProcessing() => WriteVerbose($"Found {_found:N0} log files.");
}
