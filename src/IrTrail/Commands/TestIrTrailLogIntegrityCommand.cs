using System.Diagnostics;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Aws;
using IrTrail.Core.Integrity;

namespace IrTrail.Commands;

/// <summary>
/// Validates CloudTrail log files against CloudTrail's digest files (hash, chain, RSA signature), as
/// <c>aws cloudtrail validate-logs</c> does, in S3 or in a case folder acquired with Save-IrTrailLog (offline).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "IrTrailLogIntegrity", DefaultParameterSetName = S3UriSet)]
[OutputType(typeof(LogIntegrityResult), typeof(LogIntegritySummary))]
public sealed class TestIrTrailLogIntegrityCommand : AwsCmdlet
{
    private const string S3UriSet = "S3Uri";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const int ProgressId = 7;

    /// <summary>s3://bucket[/prefix]: the trail's bucket (and key prefix), or any prefix in the CloudTrail layout.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = S3UriSet)]
    [ValidatePattern("^[sS]3://[^/]+(/.*)?$")]
    public string[] S3Uri { get; set; } = [];

    /// <summary>A case folder (Save-IrTrailLog's -Destination) or a folder holding AWSLogs/; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Destination")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter]
    [ValidatePattern(@"^\d{12}$")]
    public string[]? Account { get; set; }

    /// <summary>Regions whose digest chains are validated (a filter on the layout's region folders).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    public string[]? Region { get; set; }

    /// <summary>Only this trail's digests (the trail name in the digest file names).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TrailName { get; set; }

    [Parameter] public DateTime? StartTime { get; set; }
    [Parameter] public DateTime? EndTime { get; set; }

    /// <summary>Public key files: PEM or DER, or the JSON output of `aws cloudtrail list-public-keys`.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? PublicKeyPath { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Output one summary object per source instead of a result per object.</summary>
    [Parameter] public SwitchParameter Summary { get; set; }

    private DateTime _end;
    private string? _loadedKeyPaths;
    private IPublicKeySource? _keys;

    protected override void BeginProcessing()
    {
        _end = EndTime is { } e ? LogFileQuery.ToUtc(e) : DateTime.UtcNow;
        if (StartTime is { } s && LogFileQuery.ToUtc(s) > _end)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-EndTime ({_end:O}) is before -StartTime ({LogFileQuery.ToUtc(s):O})."),
                "EndBeforeStart", ErrorCategory.InvalidArgument, null));
    }

    protected override void ProcessRecord()
    {
        var keys = Keys();
        if (ParameterSetName == S3UriSet)
        {
            foreach (var uri in S3Uri)
            {
                S3Reader.TryParseUri(uri, out var bucket, out var prefix);
                var session = GetAwsSession(requireRegion: false);
                string? bucketRegion;
                try
                {
                    bucketRegion = Wait(S3LogStore.FindBucketRegionAsync(session, bucket, CancellationToken));
                }
                catch (AwsException ex)
                {
                    WriteError(AwsErrors.ToErrorRecord(ex, $"s3://{bucket}"));
                    continue;
                }
                using var store = new S3IntegrityStore(session, bucket, bucketRegion, prefix);
                Validate(store, keys, $"s3://{bucket}/{prefix}");
            }
            return;
        }
        foreach (var r in PathResolver.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, literal: ParameterSetName == LiteralPathSet))
        {
            if (r.Error is not null || !r.IsFolder)
            {
                WriteError(new ErrorRecord(r.Error ?? new DirectoryNotFoundException($"'{r.Input}' is not a folder."), "FolderNotFound", ErrorCategory.ObjectNotFound, r.Input));
                continue;
            }
            FolderIntegrityStore store;
            try
            {
                store = new FolderIntegrityStore(r.FullPath!);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, "CaseManifestUnreadable", ErrorCategory.ReadError, r.FullPath));
                continue;
            }
            using (store)
            {
                if (store.Manifests.Count > 0) WriteVerbose($"Object locations and digest signatures from {store.Manifests.Count} case manifest(s): {string.Join(", ", store.Manifests)}.");
                Validate(store, keys, store.Description);
            }
        }
    }

    /// <summary>The key source: the files given (read again only when the list changes), else CloudTrail's ListPublicKeys.</summary>
    private IPublicKeySource Keys()
    {
        if (PublicKeyPath is { Length: > 0 })
        {
            var files = PublicKeyPath.SelectMany(p => PathResolver.Resolve(this, [p], literal: false)).ToList();
            var id = string.Join("\n", files.Select(f => f.FullPath ?? f.Input));
            if (_keys is not null && id == _loadedKeyPaths) return _keys;
            var keys = new List<DigestPublicKey>();
            foreach (var f in files)
            {
                try
                {
                    if (f.Error is not null) throw f.Error;
                    keys.AddRange(PublicKeyFile.Load(f.FullPath!));
                }
                catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or ItemNotFoundException or NotSupportedException)
                {
                    foreach (var k in keys) k.Dispose();
                    ThrowTerminatingError(new ErrorRecord(ex, "PublicKeyFileInvalid", ErrorCategory.InvalidData, f.FullPath ?? f.Input)
                    {
                        ErrorDetails = new ErrorDetails(ex.Message)
                        {
                            RecommendedAction = "Give PEM or DER public keys, or the JSON output of 'aws cloudtrail list-public-keys --start-time <t> --end-time <t>' run in the trail's region.",
                        },
                    });
                }
            }
            (_keys as IDisposable)?.Dispose();
            _keys = new FixedPublicKeySource(keys);
            _loadedKeyPaths = id;
            WriteVerbose($"{keys.Count} public key(s) from {string.Join(", ", files.Select(f => f.FullPath))}; fingerprints {string.Join(", ", keys.SelectMany(k => k.Fingerprints))}.");
            return _keys;
        }
        if (_keys is CloudTrailPublicKeySource) return _keys;
        // SEAM (issue 19): CloudTrailPublicKeyApi.ForSession returns IrTrail's CloudTrail client once it is in main.
        if (!CloudTrailPublicKeyApi.IsAvailable || CloudTrailPublicKeyApi.ForSession(GetAwsSession(requireRegion: false)) is not { } api)
        {
            ThrowTerminatingError(new ErrorRecord(
                new NotSupportedException("This version of IrTrail cannot fetch CloudTrail's public keys (ListPublicKeys) itself yet: give them with -PublicKeyPath."),
                "PublicKeySourceUnavailable", ErrorCategory.NotImplemented, null)
            {
                ErrorDetails = new ErrorDetails("This version of IrTrail cannot fetch CloudTrail's public keys (ListPublicKeys) itself yet: give them with -PublicKeyPath.")
                {
                    RecommendedAction = "Save the keys with 'aws cloudtrail list-public-keys --region <region> --start-time <t> --end-time <t> > keys.json' (once per region) and pass -PublicKeyPath keys.json.",
                },
            });
            return null!;
        }
        _keys = new CloudTrailPublicKeySource(api);
        return _keys;
    }

    private void Validate(IIntegrityStore store, IPublicKeySource keys, string source)
    {
        var options = new IntegrityOptions
        {
            StartTime = StartTime is { } s ? LogFileQuery.ToUtc(s) : null, EndTime = _end, Accounts = Account, Regions = Region, TrailName = TrailName,
            ThrottleLimit = ThrottleLimit,
        };
        var validator = new IntegrityValidator(store, keys, options);
        int listed = 0, digests = 0, logs = 0;
        var progressClock = Stopwatch.StartNew();
        try
        {
            foreach (var e in Iterate(validator.RunAsync(CancellationToken)))
            {
                switch (e)
                {
                    case DigestsListed l:
                        listed = l.Count;
                        WriteVerbose($"{l.Count:N0} digest files in {l.Chains:N0} chain(s) in {source}.");
                        break;
                    case ObjectChecked { Result: var r }:
                        if (r.Kind == LogIntegrityKind.Digest) digests++;
                        else if (r.Kind == LogIntegrityKind.Log) logs++;
                        if (!Summary) WriteObject(r);
                        break;
                    case ObjectNotChecked n:
                        WriteError(NotChecked(n));
                        break;
                }
                if (progressClock.ElapsedMilliseconds >= 250)
                {
                    progressClock.Restart();
                    WriteProgress(new ProgressRecord(ProgressId, $"Validating CloudTrail logs in {source}", $"{digests:N0} of {listed:N0} digest files, {logs:N0} log files checked")
                    {
                        PercentComplete = listed == 0 ? 0 : Math.Min(100, 100 * digests / listed),
                    });
                }
            }
        }
        catch (AwsException ex)
        {
            WriteError(AwsErrors.ToErrorRecord(ex, ex.Target ?? source));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, "FolderUnreadable", ErrorCategory.ReadError, source));
            return;
        }
        finally
        {
            WriteProgress(new ProgressRecord(ProgressId, $"Validating CloudTrail logs in {source}", "Done") { RecordType = ProgressRecordType.Completed });
        }

        var summary = validator.Summary;
        WriteVerbose(summary.ToString());
        if (Summary) WriteObject(summary);
        else WriteInformation(summary, ["IrTrail", "LogIntegritySummary"]);
        if (listed == 0 && summary.NotChecked == 0)
        {
            WriteWarning($"No digest files found in {source}{(StartTime is null ? "" : " for the period")}: is log file validation enabled on the trail, and is this its bucket and prefix?");
        }
        else if (!summary.IsValid)
        {
            var invalid = summary.InvalidDigestFiles + summary.InvalidBackfillDigestFiles + summary.InvalidLogFiles;
            WriteError(new ErrorRecord(new InvalidDataException($"{source}: {invalid:N0} file(s) failed validation" +
                    (summary.NotChecked > 0 ? $" and {summary.NotChecked:N0} could not be checked" : "") + ". " + summary),
                "LogIntegrityFailed", ErrorCategory.InvalidData, source)
            {
                ErrorDetails = new ErrorDetails($"{source}: {invalid:N0} file(s) failed validation" + (summary.NotChecked > 0 ? $", {summary.NotChecked:N0} could not be checked" : "") + ".")
                {
                    RecommendedAction = "See the results whose Status is not Valid (Where-Object Status -ne 'Valid'), or -Summary for the list.",
                },
            });
        }
    }

    private static ErrorRecord NotChecked(ObjectNotChecked n) => n.Error switch
    {
        AwsException a => AwsErrors.ToErrorRecord(a, n.Target),
        KeyServiceException { InnerException: AwsException a } k => new ErrorRecord(k, "PublicKeyLookupFailed", AwsErrors.ToErrorRecord(a, n.Target).CategoryInfo.Category, n.Target),
        KeyServiceException k => new ErrorRecord(k, "PublicKeyLookupFailed", ErrorCategory.ConnectionError, n.Target),
        _ => new ErrorRecord(n.Error, "ObjectUnreadable", ErrorCategory.ReadError, n.Target),
    };

    protected override void ReleaseResources() => (_keys as IDisposable)?.Dispose();
}
