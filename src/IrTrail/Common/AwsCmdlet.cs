using System.Management.Automation;
using IrTrail.Core.Aws;
using IrTrail.Core.Model;
using IrTrail.Core.Sources;

namespace IrTrail.Common;

/// <summary>
/// Base for cmdlets that talk to AWS: the AWS common parameters in one place, resolved by the engine in the order
/// AWS Tools for PowerShell uses. -Region is declared by each cmdlet (Get-IrTrailLogFile uses it as a filter).
/// </summary>
public abstract class AwsCmdlet : IrTrailCmdlet
{
    [Parameter]
    [ArgumentCompleter(typeof(AwsProfileNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    /// <summary>Access key id as user name, secret access key as password.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SessionToken { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfileLocation { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    /// <summary>The region the caller asked for (the cmdlet's own -Region when it means the AWS region).</summary>
    protected virtual string? RequestedRegion => null;

    private AwsSession? _session;
    private S3Reader? _s3;

    /// <summary>
    /// A source for a LogFile object from Get-IrTrailLogFile: S3 objects stream from S3 (never staged to disk) and
    /// keep their s3:// URI as identity; local ones are read as files.
    /// </summary>
    protected ILogSource OpenLogFile(LogFile file)
    {
        if (!file.IsS3) return new LocalFileSource(file.Uri);
        _s3 ??= new S3Reader(GetAwsSession(requireRegion: false));
        return _s3.Open(file.BucketName!, file.Key!, file.Size, file.BucketRegion);
    }

    /// <summary>Resolves credentials and makes the S3 client now, on the pipeline thread, so that <see cref="OpenLogFile"/>
    /// may then be called from the engine's threads.</summary>
    protected void PrepareS3() => _s3 ??= new S3Reader(GetAwsSession(requireRegion: false));

    /// <summary>Releases the S3 client, if one was opened.</summary>
    protected void CloseLogFiles()
    {
        _s3?.Dispose();
        _s3 = null;
    }

    /// <summary>Resolves credentials once per command; a failure is terminating (nothing can proceed without them).</summary>
    protected AwsSession GetAwsSession(bool requireRegion = true)
    {
        if (_session is not null) return _session;
        var options = new AwsConnectionOptions
        {
            ProfileName = ProfileName,
            Region = RequestedRegion,
            AccessKeyId = Credential?.UserName,
            SecretAccessKey = Credential?.GetNetworkCredential().Password,
            SessionToken = SessionToken,
            ProfileLocation = ProfileLocation is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ProfileLocation),
            EndpointUrl = EndpointUrl,
        };
        try
        {
            _session = AwsSessionResolver.Resolve(options, requireRegion: requireRegion);
        }
        catch (AwsException ex)
        {
            ThrowTerminatingError(AwsErrors.ToErrorRecord(ex, null));
        }
        WriteDebug($"AWS credentials from {_session!.CredentialSource}; region {_session.Region ?? "(none)"} from {_session.RegionSource ?? "-"}" +
                   (EndpointUrl is null ? "." : $"; endpoint {EndpointUrl}."));
        return _session;
    }
}
