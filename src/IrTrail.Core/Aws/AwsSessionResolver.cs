using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace IrTrail.Core.Aws;

/// <summary>
/// Credential and region resolution in the order AWS Tools for PowerShell uses: explicit keys → the named profile
/// (an error if it does not exist) → environment variables → the default profile (or AWS_PROFILE) → container
/// role → instance role. Region: explicit → AWS_REGION / AWS_DEFAULT_REGION → the profile's region.
/// The environment is injectable so tests never depend on the machine's own AWS setup.
/// </summary>
public static class AwsSessionResolver
{
    public const string DefaultProfileName = "default";

    public static AwsSession Resolve(AwsConnectionOptions options, Func<string, string?>? environment = null, bool requireRegion = true)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var store = OpenStore(options.ProfileLocation, env);
        var location = store.ProfilesLocation ?? "the default AWS credential files";

        AWSCredentials? credentials = null;
        string? source = null;
        CredentialProfile? regionProfile = null;

        if (!string.IsNullOrEmpty(options.AccessKeyId) || !string.IsNullOrEmpty(options.SecretAccessKey))
        {
            if (string.IsNullOrEmpty(options.AccessKeyId) || string.IsNullOrEmpty(options.SecretAccessKey))
                throw new AwsException(AwsErrorKind.NoCredentials, "-Credential needs both an access key id (user name) and a secret access key (password).");
            credentials = string.IsNullOrEmpty(options.SessionToken)
                ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken);
            source = string.IsNullOrEmpty(options.SessionToken) ? "explicit -Credential" : "explicit -Credential with -SessionToken";
        }

        if (!string.IsNullOrEmpty(options.ProfileName))
        {
            // A named profile that does not exist is an error, never a silent fallback to other credentials.
            if (!store.TryGetProfile(options.ProfileName, out var named))
                throw new AwsException(AwsErrorKind.ProfileNotFound, $"The AWS profile '{options.ProfileName}' was not found in {location}.");
            regionProfile = named;
            if (credentials is null)
            {
                credentials = FromProfile(named, store, location);
                source = $"profile '{named.Name}' ({location})";
            }
        }

        if (credentials is null && env("AWS_ACCESS_KEY_ID") is { Length: > 0 } ak && env("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } sk)
        {
            var token = env("AWS_SESSION_TOKEN");
            credentials = string.IsNullOrEmpty(token) ? new BasicAWSCredentials(ak, sk) : new SessionAWSCredentials(ak, sk, token);
            source = "environment variables (AWS_ACCESS_KEY_ID)";
        }

        var defaultName = env("AWS_PROFILE") is { Length: > 0 } p ? p : DefaultProfileName;
        if (regionProfile is null && store.TryGetProfile(defaultName, out var dflt))
        {
            regionProfile = dflt;
            if (credentials is null)
            {
                credentials = FromProfile(dflt, store, location);
                source = $"{(defaultName == DefaultProfileName ? "default profile" : "AWS_PROFILE profile")} '{dflt.Name}' ({location})";
            }
        }
        else if (credentials is null && defaultName != DefaultProfileName)
        {
            throw new AwsException(AwsErrorKind.ProfileNotFound, $"The AWS profile '{defaultName}' named by AWS_PROFILE was not found in {location}.");
        }

        if (credentials is null && (env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") is { Length: > 0 } || env("AWS_CONTAINER_CREDENTIALS_FULL_URI") is { Length: > 0 }))
        {
            credentials = new GenericContainerCredentials();
            source = "container role (AWS_CONTAINER_CREDENTIALS_*)";
        }

        if (credentials is null && !string.Equals(env("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase))
        {
            credentials = TryInstanceRole();
            if (credentials is not null) source = "EC2 instance role";
        }

        if (credentials is null || source is null)
            throw new AwsException(AwsErrorKind.NoCredentials,
                "No AWS credentials were found: use -Credential, -ProfileName, the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment " +
                $"variables, a default profile in {location}, or run where a container or instance role is available.");

        var (region, regionSource) = ResolveRegion(options, env, regionProfile);
        if (region is null && requireRegion)
            throw new AwsException(AwsErrorKind.NoRegion,
                "No AWS region was found: use -Region, set AWS_REGION, or set region in the profile's config.");
        return new AwsSession(credentials, source, region, regionSource, options.EndpointUrl);
    }

    private static (string? Region, string? Source) ResolveRegion(AwsConnectionOptions o, Func<string, string?> env, CredentialProfile? profile)
    {
        if (!string.IsNullOrEmpty(o.Region)) return (o.Region, "-Region");
        if (env("AWS_REGION") is { Length: > 0 } r) return (r, "AWS_REGION");
        if (env("AWS_DEFAULT_REGION") is { Length: > 0 } d) return (d, "AWS_DEFAULT_REGION");
        if (profile?.Region is { } pr) return (pr.SystemName, $"profile '{profile.Name}'");
        // An S3-compatible endpoint does not care about the region, but SigV4 needs one to sign with.
        if (!string.IsNullOrEmpty(o.EndpointUrl)) return ("us-east-1", "default for -EndpointUrl");
        return (null, null);
    }

    internal static CredentialProfileStoreChain OpenStore(string? profileLocation, Func<string, string?> env)
    {
        var location = !string.IsNullOrEmpty(profileLocation) ? profileLocation : env("AWS_SHARED_CREDENTIALS_FILE");
        return string.IsNullOrEmpty(location) ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(location);
    }

    private static AWSCredentials FromProfile(CredentialProfile profile, ICredentialProfileSource store, string location)
    {
        try
        {
            if (AWSCredentialsFactory.TryGetAWSCredentials(profile, store, out var c) && c is not null) return c;
        }
        catch (Exception ex)
        {
            throw new AwsException(AwsErrorKind.NoCredentials,
                $"The AWS profile '{profile.Name}' in {location} could not give credentials: {ex.Message}", ex);
        }
        throw new AwsException(AwsErrorKind.NoCredentials,
            $"The AWS profile '{profile.Name}' in {location} has no usable credentials (keys, role, SSO or credential_process).");
    }

    private static AWSCredentials? TryInstanceRole()
    {
        try
        {
            var c = new InstanceProfileAWSCredentials();
            _ = c.GetCredentials(); // probe now, so "no credentials" is one clear error instead of a late timeout
            return c;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Profile names in the credential and config files, for tab completion (offline, no network).</summary>
    public static IReadOnlyList<string> ListProfileNames(string? profileLocation = null)
    {
        try
        {
            return OpenStore(profileLocation, Environment.GetEnvironmentVariable).ListProfiles().Select(p => p.Name)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception)
        {
            return [];
        }
    }

    /// <summary>Region names the SDK knows (from its bundled endpoint data), for tab completion.</summary>
    public static IReadOnlyList<string> ListRegionNames() =>
        RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Order(StringComparer.Ordinal).ToList();
}
