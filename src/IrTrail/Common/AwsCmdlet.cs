using System.Management.Automation;
using IrTrail.Core.Aws;

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
