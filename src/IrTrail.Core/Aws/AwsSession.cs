using Amazon.Runtime;

namespace IrTrail.Core.Aws;

/// <summary>Resolved credentials and region for one command; SDK types stay inside the engine.</summary>
public sealed class AwsSession
{
    internal AwsSession(AWSCredentials credentials, string credentialSource, string? region, string? regionSource, string? endpointUrl)
    {
        Credentials = credentials;
        CredentialSource = credentialSource;
        Region = region;
        RegionSource = regionSource;
        EndpointUrl = endpointUrl;
    }

    internal AWSCredentials Credentials { get; }

    /// <summary>Which source won, for -Debug: "explicit -Credential", "profile 'x' (file)", "environment variables", ...</summary>
    public string CredentialSource { get; }

    public string? Region { get; }
    public string? RegionSource { get; }
    public string? EndpointUrl { get; }

    /// <summary>The same credentials for another region (an S3 bucket's own region).</summary>
    public AwsSession WithRegion(string region, string source) => new(Credentials, CredentialSource, region, source, EndpointUrl);

    public override string ToString() => $"credentials from {CredentialSource}; region {Region ?? "(none)"} from {RegionSource ?? "-"}";
}
