using System.Management.Automation;
using System.Text.Json;
using IrTrail.Core.Aws;
using IrTrail.Tests.Engine;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Cmdlets;

/// <summary>Save-IrTrailLog in an in-process runspace over local LogFile objects (a copy of the S3 layout): ShouldProcess,
/// the manifest, and each error id it writes.</summary>
public sealed class SaveIrTrailLogCommandTests : IDisposable
{
    private static readonly DateTime Day = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly string _dir = Directory.CreateTempSubdirectory("irtrail-save-").FullName;
    private readonly TestRunspace _ps = new();

    private string Source => Path.Combine(_dir, "source");
    private string Case => Path.Combine(_dir, "case");

    public SaveIrTrailLogCommandTests()
    {
        for (var i = 0; i < 3; i++)
        {
            var key = CloudTrailFixtures.Key("111122223333", "us-east-1", Day, n: i);
            var path = Path.Combine(Source, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, CloudTrailFixtures.GzipLog("111122223333", "us-east-1", Day.AddMinutes(i), 5, "s" + i));
        }
    }

    private TestRunspace.Result Run(string script) => _ps.Run(script, new Dictionary<string, object?> { ["src"] = Source, ["case"] = Case });

    [Fact]
    public void WhatIfPreference_wins_over_Force()
    {
        var r = Run("$WhatIfPreference = $true; Get-IrTrailLogFile -Path $src | Save-IrTrailLog -Destination $case -Force; $WhatIfPreference = $false");
        Assert.Empty(r.Errors);
        Assert.Empty(r.Output);
        Assert.False(Directory.Exists(Case), "-Force must not override $WhatIfPreference");

        r = Run("Get-IrTrailLogFile -Path $src | Save-IrTrailLog -Destination $case -Force -WhatIf");
        Assert.Empty(r.Output);
        Assert.False(Directory.Exists(Case), "-Force must not override -WhatIf");
    }

    [Fact]
    public void Force_saves_without_asking_even_when_confirmation_would_be_asked()
    {
        // $ConfirmPreference = 'Low' would prompt (and fail in a host that cannot prompt) without -Force.
        var r = Run("$ConfirmPreference = 'Low'; Get-IrTrailLogFile -Path $src | Save-IrTrailLog -Destination $case -Force; $ConfirmPreference = 'High'");
        Assert.Empty(r.Errors);
        var result = Assert.IsType<LogAcquisitionResult>(Assert.Single(r.Output).BaseObject);
        Assert.Equal((3, 0, 0), (result.Downloaded, result.AlreadyPresent, result.Failed));
        var manifest = JsonSerializer.Deserialize<AcquisitionManifest>(File.ReadAllText(result.ManifestPath!), LogAcquirer.JsonOptions)!;
        Assert.Equal(3, manifest.Objects.Count);
        Assert.Equal("IrTrail", manifest.Tool);
        Assert.Equal(Environment.MachineName, manifest.Host);
        Assert.Equal(Case, manifest.Parameters["Destination"]);
        Assert.Equal("3", manifest.Parameters["InputObjects"]);
        Assert.True(manifest.StartedUtc <= manifest.CompletedUtc);
    }

    [Fact]
    public void A_source_that_vanished_is_SaveFailed_and_the_rest_is_saved()
    {
        var r = Run("$files = Get-IrTrailLogFile -Path $src; Remove-Item $files[1].Uri; $files | Save-IrTrailLog -Destination $case -Force");
        var error = Assert.Single(r.Errors);
        Assert.Equal("SaveFailed", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
        Assert.EndsWith("_f1.json.gz", (string)error.TargetObject);
        var result = Assert.IsType<LogAcquisitionResult>(Assert.Single(r.Output).BaseObject);
        Assert.Equal((2, 1), (result.Downloaded, result.Failed));
        var manifest = JsonSerializer.Deserialize<AcquisitionManifest>(File.ReadAllText(result.ManifestPath!), LogAcquirer.JsonOptions)!;
        Assert.Equal(AcquisitionStatus.Failed, manifest.Objects.Single(o => o.SourceUri.EndsWith("_f1.json.gz")).Status);
        Assert.Empty(Directory.GetFiles(Case, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_manifest_that_cannot_be_written_is_ManifestWriteFailed_and_the_files_are_still_saved()
    {
        // The manifest is named after the run's start second and written to "<name>.partial" first: a folder in the way
        // of that name (for every second this run can start in) makes the write fail.
        Directory.CreateDirectory(Case);
        var now = DateTime.UtcNow;
        for (var s = -2; s <= 180; s++)
            Directory.CreateDirectory(Path.Combine(Case, $"{LogAcquirer.ManifestPrefix}{now.AddSeconds(s):yyyyMMdd'T'HHmmss'Z'}.json.partial"));
        var r = Run("Get-IrTrailLogFile -Path $src | Save-IrTrailLog -Destination $case -Force");
        var error = Assert.Single(r.Errors);
        Assert.Equal("ManifestWriteFailed", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
        Assert.Equal(Case, error.TargetObject);
        var result = Assert.IsType<LogAcquisitionResult>(Assert.Single(r.Output).BaseObject);
        Assert.Null(result.ManifestPath);
        Assert.Equal(3, result.Downloaded);
    }

    [Fact]
    public void A_destination_that_cannot_be_a_folder_is_DestinationUnwritable()
    {
        File.WriteAllText(Path.Combine(_dir, "a-file"), "x");
        var r = _ps.Run("Get-IrTrailLogFile -Path $src | Save-IrTrailLog -Destination (Join-Path $dir 'a-file') -Force",
            new Dictionary<string, object?> { ["src"] = Source, ["dir"] = _dir });
        var error = Assert.Single(r.Errors);
        Assert.Equal("DestinationUnwritable", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
        Assert.Equal(Path.Combine(_dir, "a-file"), error.TargetObject);
        Assert.Empty(r.Output);
    }

    [Fact]
    [Trait("Tier", "Full")] // the SDK retries a refused connection with backoff before giving up
    public void An_unreachable_endpoint_is_S3ConnectionFailed_per_object()
    {
        var r = _ps.Run("$f = [IrTrail.LogFile]@{ Uri = 's3://b/AWSLogs/x.json.gz'; BucketName = 'b'; Key = 'AWSLogs/x.json.gz'; Size = 10 }; " +
                        "$f | Save-IrTrailLog -Destination $case -Force -EndpointUrl http://127.0.0.1:9 -Region us-east-1 " +
                        "-Credential ([pscredential]::new('a', (ConvertTo-SecureString 'b' -AsPlainText -Force)))",
            new Dictionary<string, object?> { ["case"] = Case });
        var error = Assert.Single(r.Errors);
        Assert.Equal("S3ConnectionFailed", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Equal("s3://b/AWSLogs/x.json.gz", error.TargetObject);
        Assert.Equal(1, ((LogAcquisitionResult)Assert.Single(r.Output).BaseObject).Failed);
    }

    [Fact]
    public void A_profile_that_does_not_exist_stops_before_anything_is_saved()
    {
        File.WriteAllText(Path.Combine(_dir, "credentials"), "[default]\naws_access_key_id = A\naws_secret_access_key = B\n");
        var r = _ps.Run("$f = [IrTrail.LogFile]@{ Uri = 's3://b/AWSLogs/x.json.gz'; BucketName = 'b'; Key = 'AWSLogs/x.json.gz'; Size = 10 }; " +
                        "$f | Save-IrTrailLog -Destination $case -Force -ProfileName nope -ProfileLocation (Join-Path $dir 'credentials')",
            new Dictionary<string, object?> { ["case"] = Case, ["dir"] = _dir });
        Assert.Equal("AwsProfileNotFound", Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Empty(r.Output);
        Assert.Empty(Directory.Exists(Case) ? Directory.GetFiles(Case, "*", SearchOption.AllDirectories) : []);
    }

    public void Dispose()
    {
        _ps.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
