using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IrTrail.Core.Reading;
using IrTrail.Core.Sample;
using IrTrail.Core.Sources;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>One generated sample (with digests) shared by the tests that only read it.</summary>
public sealed class SampleFixture : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "irtrail-sample-" + Guid.NewGuid().ToString("N"));
    public SampleDataResult Result { get; }

    public SampleFixture()
    {
        Result = new SampleDataGenerator(new SampleDataOptions
        {
            OutputPath = Root, EventCount = 4000, Duration = TimeSpan.FromHours(3), Seed = 7, IncludeDigest = true,
        }).Generate();
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}

public sealed class SampleDataGeneratorTests(SampleFixture sample) : IClassFixture<SampleFixture>
{
    private static readonly Regex LogName = new(@"AWSLogs/(?<acct>\d{12})/CloudTrail/(?<region>[a-z0-9-]+)/\d{4}/\d{2}/\d{2}/\k<acct>_CloudTrail_\k<region>_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$");

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private IEnumerable<string> LogFiles() =>
        Directory.EnumerateFiles(sample.Result.Path, "*.json.gz", SearchOption.AllDirectories).Where(f => f.Contains($"{Path.DirectorySeparatorChar}CloudTrail{Path.DirectorySeparatorChar}")).Order(StringComparer.Ordinal);

    private IEnumerable<JsonElement> Records()
    {
        foreach (var f in LogFiles())
        {
            using var doc = JsonDocument.Parse(Gunzip(f));
            foreach (var r in doc.RootElement.GetProperty("Records").EnumerateArray()) yield return r.Clone();
        }
    }

    [Fact]
    public void Same_seed_and_parameters_give_identical_bytes_and_another_seed_does_not()
    {
        string Make(int seed)
        {
            var root = Path.Combine(Path.GetTempPath(), "irtrail-det-" + Guid.NewGuid().ToString("N"));
            new SampleDataGenerator(new SampleDataOptions { OutputPath = root, EventCount = 1500, Duration = TimeSpan.FromHours(2), Seed = seed, IncludeDigest = true, MaxParallelism = seed == 3 ? 1 : 4 }).Generate();
            return root;
        }
        Dictionary<string, string> Hashes(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
        var a = Make(3);
        var b = Make(3);
        var c = Make(4);
        try
        {
            var ha = Hashes(a);
            Assert.True(ha.Count > 20);
            Assert.Equal(ha.OrderBy(k => k.Key), Hashes(b).OrderBy(k => k.Key));
            Assert.NotEqual(ha.Keys.Order(), Hashes(c).Keys.Order());
        }
        finally
        {
            foreach (var d in new[] { a, b, c }) Directory.Delete(d, true);
        }
    }

    [Fact]
    public async Task Every_generated_file_reads_without_an_issue_through_the_shared_reader()
    {
        long events = 0, digests = 0;
        foreach (var file in LogFileNames.Enumerate(sample.Result.Path))
        {
            var result = new SourceReadResult { Source = file };
            await foreach (var item in CloudTrailEventReader.ReadAsync(new LocalFileSource(file), result))
            {
                Assert.Null(item.Issue);
                events++;
            }
            Assert.Null(result.Fault);
            if (result.Shape == FileShape.Digest) digests++;
        }
        Assert.Equal(sample.Result.Records, events);
        Assert.Equal(sample.Result.DigestFiles, digests);
        Assert.True(digests > 0);
    }

    [Fact]
    public void Files_follow_the_delivery_layout_one_account_and_region_per_file_and_window()
    {
        foreach (var f in LogFiles())
        {
            var rel = Path.GetRelativePath(sample.Result.Root, f).Replace('\\', '/');
            var m = LogName.Match(rel);
            Assert.True(m.Success, rel);
            var stamp = DateTime.ParseExact(Regex.Match(rel, @"_(\d{8}T\d{4})Z_").Groups[1].Value, "yyyyMMdd'T'HHmm", null, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
            using var doc = JsonDocument.Parse(Gunzip(f));
            var records = doc.RootElement.GetProperty("Records").EnumerateArray().ToList();
            Assert.NotEmpty(records);
            foreach (var r in records)
            {
                Assert.Equal(m.Groups["acct"].Value, r.GetProperty("recipientAccountId").GetString());
                Assert.Equal(m.Groups["region"].Value, r.GetProperty("awsRegion").GetString());
                Assert.True(r.GetProperty("eventTime").GetDateTime() < stamp.AddMinutes(5), rel); // never before its time; late ones later
            }
        }
    }

    [Fact]
    public void Records_use_only_fields_CloudTrail_defines_for_their_event_version()
    {
        var identityTypes = new HashSet<string>();
        long count = 0, errors = 0, data = 0, readOnly = 0, console = 0;
        var ids = new Dictionary<string, int>();
        foreach (var r in Records())
        {
            count++;
            Assert.Equal("1.08", r.GetProperty("eventVersion").GetString());
            foreach (var p in r.EnumerateObject()) Assert.Contains(p.Name, SampleRecordWriter.DefinedFields);
            var id = r.GetProperty("userIdentity");
            foreach (var p in id.EnumerateObject()) Assert.Contains(p.Name, SampleRecordWriter.DefinedIdentityFields);
            if (id.TryGetProperty("sessionContext", out var sc))
                foreach (var p in sc.EnumerateObject()) Assert.Contains(p.Name, new[] { "sessionIssuer", "webIdFederationData", "attributes", "sourceIdentity", "ec2RoleDelivery", "assumedRoot" });
            identityTypes.Add(id.GetProperty("type").GetString()!);
            Assert.True(Guid.TryParse(r.GetProperty("eventID").GetString(), out _));
            if (r.TryGetProperty("errorCode", out _)) errors++;
            if (r.GetProperty("eventCategory").GetString() == "Data") data++;
            if (r.GetProperty("readOnly").GetBoolean()) readOnly++;
            if (r.GetProperty("eventType").GetString() == "AwsConsoleSignIn") console++;
            var eid = r.GetProperty("eventID").GetString()!;
            ids[eid] = ids.GetValueOrDefault(eid) + 1;
        }
        Assert.Equal(sample.Result.Records, count);
        Assert.Superset(new HashSet<string> { "AWSService", "AssumedRole", "IAMUser", "Root", "FederatedUser", "AWSAccount" }, identityTypes);
        Assert.True(errors > 0 && data > 0 && readOnly > count / 2 && readOnly < count && console > 0);
        Assert.Equal(sample.Result.Duplicates, ids.Values.Sum(v => v - 1));
        Assert.True(sample.Result.Duplicates > 0 && sample.Result.LateEvents > 0);
    }

    [Fact]
    public void Each_scenario_is_present_and_matches_its_ground_truth()
    {
        using var truth = JsonDocument.Parse(File.ReadAllBytes(sample.Result.GroundTruthPath));
        var scenarios = truth.RootElement.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(SampleScenarios.Names, scenarios.Select(s => s.GetProperty("name").GetString()));
        var byId = Records().GroupBy(r => r.GetProperty("eventID").GetString()!).ToDictionary(g => g.Key, g => g.First());
        foreach (var s in scenarios)
        {
            var name = s.GetProperty("name").GetString();
            var ids = s.GetProperty("eventIds").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.NotEmpty(ids);
            Assert.NotEmpty(s.GetProperty("techniques").EnumerateArray());
            var start = s.GetProperty("startTime").GetDateTime();
            var end = s.GetProperty("endTime").GetDateTime();
            var events = ids.Select(i => byId.TryGetValue(i, out var e) ? e : throw new Xunit.Sdk.XunitException($"{name}: event {i} missing")).ToList();
            foreach (var e in events)
            {
                var t = e.GetProperty("eventTime").GetDateTime();
                Assert.InRange(t, start, end);
                Assert.Contains(e.GetProperty("sourceIPAddress").GetString(), s.GetProperty("actors").GetProperty("sourceIPAddresses").EnumerateArray().Select(x => x.GetString()));
            }
            var names = events.Select(e => e.GetProperty("eventName").GetString()).ToHashSet();
            switch (name)
            {
                case "ApiErrors":
                    Assert.Superset(new HashSet<string?> { "Client.UnauthorizedOperation", "Client.InvalidPermission.NotFound", "Client.OperationNotPermitted", "AccessDenied" },
                        events.Select(e => e.GetProperty("errorCode").GetString()).ToHashSet());
                    break;
                case "MaliciousIp":
                    Assert.All(events, e => Assert.Equal("5.205.62.253", e.GetProperty("sourceIPAddress").GetString()));
                    break;
                case "InstanceRoleS3Enumeration":
                    Assert.Contains(events, e => e.GetProperty("eventName").GetString() == "ListBuckets" && Regex.IsMatch(e.GetProperty("userIdentity").GetProperty("principalId").GetString()!, ":i-[0-9a-f]+$"));
                    break;
                case "Persistence":
                    Assert.Superset(new HashSet<string?> { "CreateUser", "CreateAccessKey", "CreateLoginProfile", "AttachUserPolicy" }, names);
                    break;
                case "DefenseEvasion":
                    Assert.Superset(new HashSet<string?> { "StopLogging", "DeleteTrail", "PutEventSelectors", "DeleteDetector" }, names);
                    break;
                case "ConsoleLoginWithoutMfa":
                    Assert.Contains(events, e => e.GetProperty("eventName").GetString() == "ConsoleLogin" && e.GetProperty("userIdentity").GetProperty("type").GetString() == "Root"
                        && e.GetProperty("additionalEventData").GetProperty("MFAUsed").GetString() == "No");
                    break;
                case "Exfiltration":
                    Assert.True(events.Count(e => e.GetProperty("eventName").GetString() == "GetObject") >= 100);
                    Assert.Contains("ModifySnapshotAttribute", names);
                    break;
                case "S3Ransomware":
                    Assert.Superset(new HashSet<string?> { "PutBucketVersioning", "CopyObject", "DeleteObject" }, names);
                    break;
                case "ExposedAccessKey":
                    var key = s.GetProperty("actors").GetProperty("accessKeyIds")[0].GetString();
                    // The same key also has ordinary use, from another address, in the background.
                    Assert.Contains(byId.Values, e => e.GetProperty("userIdentity").TryGetProperty("accessKeyId", out var k) && k.GetString() == key && !ids.Contains(e.GetProperty("eventID").GetString()!));
                    break;
            }
        }
    }

    [Fact]
    public void Digests_hash_every_log_file_chain_and_verify_against_the_written_public_key()
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(sample.Result.PublicKeyPath!));
        var digestFiles = Directory.EnumerateFiles(sample.Result.Path, "*.json.gz", SearchOption.AllDirectories)
            .Where(f => f.Contains("CloudTrail-Digest")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(sample.Result.DigestFiles, digestFiles.Count);
        Assert.Equal(3 * 3 * 3, digestFiles.Count); // 3 accounts x 3 regions x 3 hours
        var listed = new HashSet<string>();
        var previous = new Dictionary<string, (string Object, string Hash, string Signature)>();
        foreach (var f in digestFiles)
        {
            var content = Gunzip(f);
            var signature = File.ReadAllText(f + DigestWriter.SignatureSuffix).Trim();
            using var doc = JsonDocument.Parse(content);
            var d = doc.RootElement;
            Assert.Equal("SHA256withRSA", d.GetProperty("digestSignatureAlgorithm").GetString());
            var obj = d.GetProperty("digestS3Object").GetString()!;
            Assert.EndsWith(Path.GetRelativePath(sample.Result.Root, f).Replace('\\', '/'), obj);
            var prevSig = d.GetProperty("previousDigestSignature").ValueKind == JsonValueKind.Null ? null : d.GetProperty("previousDigestSignature").GetString();
            var toSign = $"{d.GetProperty("digestEndTime").GetString()}\n{d.GetProperty("digestS3Bucket").GetString()}/{obj}\n{Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant()}\n{prevSig ?? "null"}";
            Assert.True(rsa.VerifyData(Encoding.UTF8.GetBytes(toSign), Convert.FromHexString(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), f);
            var chain = d.GetProperty("awsAccountId").GetString() + "/" + obj.Split('/')[3];
            if (previous.TryGetValue(chain, out var p))
            {
                Assert.Equal(p.Object, d.GetProperty("previousDigestS3Object").GetString());
                Assert.Equal(p.Hash, d.GetProperty("previousDigestHashValue").GetString());
                Assert.Equal(p.Signature, prevSig);
            }
            else Assert.Null(prevSig);
            previous[chain] = (obj, Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant(), signature);
            foreach (var lf in d.GetProperty("logFiles").EnumerateArray())
            {
                var path = Path.Combine(sample.Result.Root, lf.GetProperty("s3Object").GetString()!);
                Assert.Equal(lf.GetProperty("hashValue").GetString(), Convert.ToHexString(SHA256.HashData(Gunzip(path))).ToLowerInvariant());
                listed.Add(Path.GetFullPath(path));
            }
        }
        Assert.Equal(LogFiles().Select(Path.GetFullPath).Order(), listed.Order());
    }

    [Fact]
    public void Organization_trails_put_accounts_under_the_organization_id()
    {
        var root = Path.Combine(Path.GetTempPath(), "irtrail-org-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = new SampleDataGenerator(new SampleDataOptions { OutputPath = root, EventCount = 300, Duration = TimeSpan.FromMinutes(30), Organization = "o-abc123defg", Scenarios = [], Seed = 1 }).Generate();
            Assert.Equal(0, r.ScenarioEvents);
            var dirs = Directory.GetDirectories(Path.Combine(root, "AWSLogs"));
            Assert.Equal(new[] { "o-abc123defg" }, dirs.Select(Path.GetFileName));
            Assert.True(Directory.Exists(Path.Combine(root, "AWSLogs", "o-abc123defg", "111122223333", "CloudTrail")));
            Assert.Equal(300, r.Events);
        }
        finally { Directory.Delete(root, true); }
    }

    [Theory]
    [InlineData("12345", null, "account id")]
    [InlineData("111122223333", "o-X", "Organizations id")]
    public void Invalid_settings_are_refused_with_the_setting_named(string account, string? org, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SampleDataOptions { OutputPath = "x", Accounts = [account], Organization = org }.Validate());
        Assert.Contains(expected, ex.Message);
    }
}
