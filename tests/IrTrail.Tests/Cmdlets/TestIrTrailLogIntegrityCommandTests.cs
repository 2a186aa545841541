using System.Management.Automation;
using System.Management.Automation.Runspaces;
using IrTrail.Core.Integrity;
using IrTrail.Core.Sample;
using IrTrail.Tests.Engine;

namespace IrTrail.Tests.Cmdlets;

/// <summary>Test-IrTrailLogIntegrity over folders (offline) in an in-process runspace: objects, the summary, error ids,
/// pipeline binding from New-IrTrailSampleData and Save-IrTrailLog.</summary>
[Collection(PublicKeySeamCollection.Name)]
public sealed class TestIrTrailLogIntegrityCommandTests(IntegritySampleFixture sample) : IClassFixture<IntegritySampleFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("irtrail-integrity-cmdlet-").FullName;
    private readonly Runspace _runspace = OpenRunspace();

    private static Runspace OpenRunspace()
    {
        var iss = InitialSessionState.CreateDefault2();
        foreach (var type in typeof(IrTrail.Common.IrTrailCmdlet).Assembly.GetTypes())
            if (type.GetCustomAttributes(typeof(CmdletAttribute), false).FirstOrDefault() is CmdletAttribute a)
                iss.Commands.Add(new SessionStateCmdletEntry($"{a.VerbName}-{a.NounName}", type, null));
        var rs = RunspaceFactory.CreateRunspace(iss);
        rs.Open();
        return rs;
    }

    private sealed record Run(List<object> Output, List<ErrorRecord> Errors, List<InformationRecord> Information, List<ProgressRecord> Progress, List<string> Warnings);

    private Run Invoke(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        _runspace.SessionStateProxy.SetVariable("root", sample.Pristine);
        _runspace.SessionStateProxy.SetVariable("key", sample.Result.PublicKeyPath);
        _runspace.SessionStateProxy.SetVariable("dir", _dir);
        ps.AddScript(script);
        List<object> output;
        var errors = new List<ErrorRecord>();
        try
        {
            output = ps.Invoke().Select(o => o.BaseObject).ToList();
        }
        catch (RuntimeException ex)
        {
            output = [];
            errors.Add(ex.ErrorRecord);
        }
        errors.InsertRange(0, ps.Streams.Error);
        return new Run(output, errors, [.. ps.Streams.Information], [.. ps.Streams.Progress], ps.Streams.Warning.Select(w => w.Message).ToList());
    }

    private static string Id(ErrorRecord e) => e.FullyQualifiedErrorId.Split(',')[0];

    [Fact]
    public void A_pristine_folder_gives_valid_results_and_a_summary_in_the_information_stream()
    {
        var r = Invoke("Test-IrTrailLogIntegrity -Path $root -PublicKeyPath $key");
        Assert.Empty(r.Errors);
        var results = r.Output.Cast<LogIntegrityResult>().ToList();
        Assert.Equal(SampleTamper.Digests(sample.Pristine).Count + SampleTamper.Logs(sample.Pristine).Count, results.Count);
        Assert.All(results, x => Assert.Equal(LogIntegrityStatus.Valid, x.Status));
        var summary = Assert.IsType<LogIntegritySummary>(Assert.Single(r.Information).MessageData);
        Assert.True(summary.IsValid);
        Assert.Contains("LogIntegritySummary", Assert.Single(r.Information).Tags);
        Assert.Equal(SampleTamper.Logs(sample.Pristine).Count, summary.ValidLogFiles);
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed && p.Activity.StartsWith("Validating CloudTrail logs", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tampered_folder_gives_findings_to_filter_on_and_one_LogIntegrityFailed_error()
    {
        var root = sample.Copy("cmdlet-tampered");
        var victim = SampleTamper.Logs(root)[3];
        SampleTamper.EditContent(victim);
        File.Delete(SampleTamper.Logs(root)[8]);
        _runspace.SessionStateProxy.SetVariable("tampered", root);
        var r = Invoke("Test-IrTrailLogIntegrity -Path $tampered -PublicKeyPath $key | Where-Object Status -ne 'Valid'");
        var findings = r.Output.Cast<LogIntegrityResult>().ToList();
        Assert.Equal([LogIntegrityStatus.HashMismatch, LogIntegrityStatus.NotFound], findings.Select(f => f.Status).Order());
        Assert.Equal(SampleTamper.Uri(root, victim), findings.Single(f => f.Status == LogIntegrityStatus.HashMismatch).Uri);
        var error = Assert.Single(r.Errors);
        Assert.Equal("LogIntegrityFailed", Id(error));
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(root, error.TargetObject);
        Assert.Contains("2 file(s) failed validation", error.ToString());

        var s = Invoke("Test-IrTrailLogIntegrity -Path $tampered -PublicKeyPath $key -Summary -ErrorAction SilentlyContinue");
        var summary = Assert.IsType<LogIntegritySummary>(Assert.Single(s.Output));
        Assert.False(summary.IsValid);
        Assert.Equal(2, summary.InvalidLogFiles);
        Assert.Equal(findings.Select(f => f.Uri).Order(), summary.Findings.Select(f => f.Uri).Order());
        Assert.Contains("INVALID", summary.ToString());
    }

    [Fact]
    public void Sample_data_pipes_in_by_property_name()
    {
        var r = Invoke("New-IrTrailSampleData -Path (Join-Path $dir 'piped') -EventCount 150 -Duration 02:00:00 -Region us-east-1 -Account 111122223333 -Seed 3 -IncludeDigest -Confirm:$false | Test-IrTrailLogIntegrity");
        Assert.Empty(r.Errors);
        Assert.NotEmpty(r.Output);
        Assert.All(r.Output.Cast<LogIntegrityResult>(), x => Assert.Equal(LogIntegrityStatus.Valid, x.Status));
        Assert.Contains(r.Output.Cast<LogIntegrityResult>(), x => x.Kind == LogIntegrityKind.Digest);
    }

    [Fact]
    public void A_case_folder_saved_from_local_files_validates_offline_piped_from_Save()
    {
        var r = Invoke("Get-IrTrailLogFile -Path $root -Kind Log, Digest | Save-IrTrailLog -Destination (Join-Path $dir 'case') -Force | Test-IrTrailLogIntegrity -PublicKeyPath $key");
        Assert.Empty(r.Errors);
        var results = r.Output.Cast<LogIntegrityResult>().ToList();
        Assert.Equal(SampleTamper.Digests(sample.Pristine).Count + SampleTamper.Logs(sample.Pristine).Count, results.Count);
        Assert.All(results, x => Assert.Equal(LogIntegrityStatus.Valid, x.Status));
        Assert.All(results, x => Assert.StartsWith(Path.Combine(_dir, "case"), x.LocalPath));
    }

    [Fact]
    public void Each_error_id_is_written_where_it_should_be()
    {
        var r = Invoke("Test-IrTrailLogIntegrity -Path (Join-Path $dir 'nope') -PublicKeyPath $key");
        Assert.Equal("FolderNotFound", Id(Assert.Single(r.Errors)));
        Assert.Equal(ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);

        File.WriteAllText(Path.Combine(_dir, "bad.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        r = Invoke("Test-IrTrailLogIntegrity -Path $root -PublicKeyPath (Join-Path $dir 'bad.pem')");
        Assert.Equal("PublicKeyFileInvalid", Id(Assert.Single(r.Errors)));
        Assert.Empty(r.Output);

        r = Invoke("Test-IrTrailLogIntegrity -Path $root");
        var unavailable = Assert.Single(r.Errors);
        Assert.Equal("PublicKeySourceUnavailable", Id(unavailable));
        Assert.Equal(ErrorCategory.NotImplemented, unavailable.CategoryInfo.Category);
        Assert.Contains("list-public-keys", unavailable.ErrorDetails.RecommendedAction);

        r = Invoke("Test-IrTrailLogIntegrity -Path $root -PublicKeyPath $key -StartTime 2025-03-04 -EndTime 2025-03-03");
        Assert.Equal("EndBeforeStart", Id(Assert.Single(r.Errors)));

        var brokenCase = Path.Combine(_dir, "broken-case");
        Directory.CreateDirectory(brokenCase);
        File.WriteAllText(Path.Combine(brokenCase, "irtrail-acquisition-20250101T000000Z.json"), "{ not json");
        _runspace.SessionStateProxy.SetVariable("broken", brokenCase);
        r = Invoke("Test-IrTrailLogIntegrity -Path $broken -PublicKeyPath $key");
        Assert.Equal("CaseManifestUnreadable", Id(Assert.Single(r.Errors)));

        // A log file that cannot be read at all (a folder where the file should be) is not checked: an error, not a finding.
        var unreadable = sample.Copy("unreadable");
        var victim = SampleTamper.Logs(unreadable)[2];
        File.Delete(victim);
        Directory.CreateDirectory(victim);
        _runspace.SessionStateProxy.SetVariable("unreadable", unreadable);
        r = Invoke("Test-IrTrailLogIntegrity -Path $unreadable -PublicKeyPath $key -Summary");
        Assert.Equal(["LogIntegrityFailed", "ObjectUnreadable"], r.Errors.Select(Id).Order());
        Assert.Equal(SampleTamper.Uri(unreadable, victim), r.Errors.Single(e => Id(e) == "ObjectUnreadable").TargetObject);
        Assert.Equal(1, Assert.IsType<LogIntegritySummary>(Assert.Single(r.Output)).NotChecked);

        var empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        _runspace.SessionStateProxy.SetVariable("empty", empty);
        r = Invoke("Test-IrTrailLogIntegrity -Path $empty -PublicKeyPath $key");
        Assert.Empty(r.Errors);
        Assert.Contains("No digest files found", Assert.Single(r.Warnings));
    }

    [Fact]
    public void With_ListPublicKeys_available_keys_come_from_CloudTrail_and_a_failure_is_PublicKeyLookupFailed()
    {
        // The seam the CloudTrail client will fill, filled with a test implementation for this test only.
        var (der, fingerprint) = SampleTamper.PublicKey(sample.Pristine);
        var api = new FakePublicKeyApi((der, fingerprint));
        CloudTrailPublicKeyApi.Factory = _ => api;
        try
        {
            var r = Invoke("Test-IrTrailLogIntegrity -Path $root -Credential ([pscredential]::new('a', (ConvertTo-SecureString 'b' -AsPlainText -Force))) -Summary");
            Assert.Empty(r.Errors);
            Assert.True(Assert.IsType<LogIntegritySummary>(Assert.Single(r.Output)).IsValid);
            Assert.Equal(IntegritySampleFixture.Regions.Order(), api.Calls.Select(c => c.Region).Order());

            api.Failure = new IrTrail.Core.Aws.AwsException(IrTrail.Core.Aws.AwsErrorKind.AccessDenied, "cloudtrail:ListPublicKeys was denied");
            var failing = new FakePublicKeyApi { Failure = api.Failure };
            CloudTrailPublicKeyApi.Factory = _ => failing;
            r = Invoke("Test-IrTrailLogIntegrity -Path $root -Credential ([pscredential]::new('a', (ConvertTo-SecureString 'b' -AsPlainText -Force)))");
            var lookups = r.Errors.Where(e => Id(e) == "PublicKeyLookupFailed").ToList();
            Assert.Equal(IntegritySampleFixture.Regions.Length, lookups.Count);
            Assert.All(lookups, e => Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category));
            Assert.Contains(r.Errors, e => Id(e) == "LogIntegrityFailed");
            Assert.Empty(r.Output);
        }
        finally
        {
            CloudTrailPublicKeyApi.Factory = null;
        }
    }

    public void Dispose()
    {
        _runspace.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

/// <summary>Tests that set <see cref="CloudTrailPublicKeyApi.Factory"/> (process-wide) or depend on it being unset run
/// one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PublicKeySeamCollection
{
    public const string Name = "ListPublicKeys seam";
}

/// <summary>Test-IrTrailLogIntegrity -S3Uri against moto's S3 with the AWS common parameters.</summary>
[Collection(Support.MotoCollection.Name)]
[Trait("Tier", "Full")]
public sealed class TestIrTrailLogIntegrityS3Tests(Support.MotoServerFixture moto, IntegritySampleFixture sample) : IClassFixture<IntegritySampleFixture>, IDisposable
{
    private readonly Support.TestRunspace _ps = new();

    private Support.TestRunspace.Result Run(string script) => _ps.Run(
        "$aws = @{ EndpointUrl = $endpoint; Credential = [pscredential]::new('testing', (ConvertTo-SecureString 'testing' -AsPlainText -Force)) }; " + script,
        new Dictionary<string, object?> { ["endpoint"] = moto.EndpointUrl, ["key"] = sample.Result.PublicKeyPath });

    [Support.MotoFact]
    public async Task S3_objects_validate_in_place_and_a_missing_bucket_is_an_error_that_does_not_stop_the_rest()
    {
        var root = sample.Copy("cmdlet-s3");
        File.Delete(SampleTamper.Logs(root, "eu-west-1")[4]);
        await MotoSamples.UploadAsync(moto, root);
        var r = Run("Test-IrTrailLogIntegrity -S3Uri s3://no-such-bucket/, s3://irtrail-sample-cloudtrail/ -PublicKeyPath $key -Region eu-west-1 @aws");
        Assert.Equal(["LogIntegrityFailed", "S3ObjectNotFound"], r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).Order());
        Assert.StartsWith("s3://no-such-bucket", (string)r.Errors.Single(e => e.FullyQualifiedErrorId.StartsWith("S3ObjectNotFound")).TargetObject);
        var results = r.Output.Select(o => (LogIntegrityResult)o.BaseObject).ToList();
        Assert.All(results, x => Assert.Equal("eu-west-1", x.Region));
        Assert.Equal(SampleTamper.Digests(root, "eu-west-1").Count + SampleTamper.Logs(root, "eu-west-1").Count + 1, results.Count);
        var missing = Assert.Single(results, x => x.Status != LogIntegrityStatus.Valid);
        Assert.Equal(LogIntegrityStatus.NotFound, missing.Status);
        Assert.StartsWith("s3://irtrail-sample-cloudtrail/AWSLogs/111122223333/CloudTrail/eu-west-1/", missing.Uri);
    }

    public void Dispose() => _ps.Dispose();
}
