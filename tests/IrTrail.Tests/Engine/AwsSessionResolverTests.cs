using IrTrail.Core.Aws;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>Credential and region resolution order, with temporary credential files and an injected environment.</summary>
public sealed class AwsSessionResolverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("irtrail-aws-").FullName;
    private readonly string _credentials;
    private readonly Dictionary<string, string> _env = new() { ["AWS_EC2_METADATA_DISABLED"] = "true" };

    public AwsSessionResolverTests()
    {
        _credentials = Path.Combine(_dir, "credentials");
        File.WriteAllText(_credentials, "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n\n[ir]\naws_access_key_id = AKIAIR\naws_secret_access_key = s2\n");
        File.WriteAllText(Path.Combine(_dir, "config"), "[default]\nregion = eu-central-1\n\n[profile ir]\nregion = ap-south-1\n");
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private AwsSession Resolve(AwsConnectionOptions o) => AwsSessionResolver.Resolve(o, n => _env.GetValueOrDefault(n));

    private static string KeyOf(AwsSession s) => s.Credentials.GetCredentials().AccessKey;

    [Fact]
    public void ExplicitKeysWinOverEverything()
    {
        _env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
        _env["AWS_SECRET_ACCESS_KEY"] = "e";
        var s = Resolve(new AwsConnectionOptions { AccessKeyId = "AKIAEXPLICIT", SecretAccessKey = "x", SessionToken = "t", ProfileName = "ir", ProfileLocation = _credentials });
        Assert.Equal("AKIAEXPLICIT", KeyOf(s));
        Assert.Equal("explicit -Credential with -SessionToken", s.CredentialSource);
        Assert.Equal("ap-south-1", s.Region); // the named profile still gives the region
    }

    [Fact]
    public void NamedProfileWinsOverEnvironment()
    {
        _env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
        _env["AWS_SECRET_ACCESS_KEY"] = "e";
        var s = Resolve(new AwsConnectionOptions { ProfileName = "ir", ProfileLocation = _credentials });
        Assert.Equal("AKIAIR", KeyOf(s));
        Assert.StartsWith("profile 'ir'", s.CredentialSource);
    }

    [Fact]
    public void MissingNamedProfileIsAnErrorNotAFallback()
    {
        _env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
        _env["AWS_SECRET_ACCESS_KEY"] = "e";
        var ex = Assert.Throws<AwsException>(() => Resolve(new AwsConnectionOptions { ProfileName = "nope", ProfileLocation = _credentials }));
        Assert.Equal(AwsErrorKind.ProfileNotFound, ex.Kind);
        Assert.Contains("'nope'", ex.Message);
    }

    [Fact]
    public void EnvironmentWinsOverDefaultProfile()
    {
        _env["AWS_ACCESS_KEY_ID"] = "AKIAENV";
        _env["AWS_SECRET_ACCESS_KEY"] = "e";
        _env["AWS_REGION"] = "us-west-2";
        var s = Resolve(new AwsConnectionOptions { ProfileLocation = _credentials });
        Assert.Equal("AKIAENV", KeyOf(s));
        Assert.StartsWith("environment", s.CredentialSource);
        Assert.Equal(("us-west-2", "AWS_REGION"), (s.Region, s.RegionSource));
    }

    [Fact]
    public void DefaultProfileIsTheLastFileSource()
    {
        var s = Resolve(new AwsConnectionOptions { ProfileLocation = _credentials });
        Assert.Equal("AKIADEFAULT", KeyOf(s));
        Assert.StartsWith("default profile", s.CredentialSource);
        Assert.Equal("eu-central-1", s.Region);
        Assert.Equal("eu-central-1", Resolve(new AwsConnectionOptions { ProfileLocation = _credentials, Region = null }).Region);
        Assert.Equal("-Region", Resolve(new AwsConnectionOptions { ProfileLocation = _credentials, Region = "sa-east-1" }).RegionSource);
    }

    [Fact]
    public void NothingFoundIsOneClearError()
    {
        var empty = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "e")).FullName, "credentials");
        File.WriteAllText(empty, "");
        var ex = Assert.Throws<AwsException>(() => Resolve(new AwsConnectionOptions { ProfileLocation = empty }));
        Assert.Equal(AwsErrorKind.NoCredentials, ex.Kind);
        Assert.Contains("No AWS credentials", ex.Message);
    }

    [Fact]
    public void NoRegionIsAnErrorUnlessAnEndpointIsGiven()
    {
        var creds = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "n")).FullName, "credentials");
        File.WriteAllText(creds, "[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
        var ex = Assert.Throws<AwsException>(() => Resolve(new AwsConnectionOptions { ProfileLocation = creds }));
        Assert.Equal(AwsErrorKind.NoRegion, ex.Kind);
        Assert.Equal("us-east-1", Resolve(new AwsConnectionOptions { ProfileLocation = creds, EndpointUrl = "http://127.0.0.1:1" }).Region);
    }

    [Fact]
    public void ProfileNamesAndRegionsCompleteOffline()
    {
        Assert.Equal(["default", "ir"], AwsSessionResolver.ListProfileNames(_credentials));
        Assert.Contains("us-west-1", AwsSessionResolver.ListRegionNames());
    }
}
