using System.Security.Cryptography;
using IrTrail.Core.Integrity;
using IrTrail.Core.Sample;

namespace IrTrail.Tests.Engine;

/// <summary>
/// Validating sample deliveries in a folder against their digests: the pristine sample is valid with its own key, and
/// each kind of tampering gives the status `aws cloudtrail validate-logs` gives it (the differential test checks the
/// CLI agrees). Expectations come from the files on disk and from what each test changed, not from the validator.
/// </summary>
public sealed class LogIntegrityTests(IntegritySampleFixture sample) : IClassFixture<IntegritySampleFixture>
{
    /// <summary>Every digest and log file on disk, Valid: what a pristine sample must give.</summary>
    private static Dictionary<string, LogIntegrityStatus> AllValid(string root) =>
        SampleTamper.Digests(root).Concat(SampleTamper.Logs(root)).ToDictionary(p => SampleTamper.Uri(root, p), _ => LogIntegrityStatus.Valid);

    /// <summary>The log files a digest lists (from its JSON), which are not checked when the digest is not valid.</summary>
    private static IEnumerable<string> ListedBy(string digestPath) =>
        SampleTamper.ReadDigest(digestPath)["logFiles"]!.AsArray().Select(l => $"s3://{l!["s3Bucket"]}/{l["s3Object"]}");

    private static void AssertResults(Dictionary<string, LogIntegrityStatus> expected, IntegrityRun.Outcome outcome)
    {
        Assert.Empty(outcome.NotChecked);
        var files = outcome.Results.Where(r => r.Kind != LogIntegrityKind.Gap).ToList();
        Assert.Equal(files.Count, files.Select(r => r.Uri).Distinct().Count());
        var actual = files.ToDictionary(r => r.Uri!, r => r.Status);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_pristine_sample_is_valid_with_its_own_key()
    {
        var outcome = await IntegrityRun.FolderAsync(sample.Pristine);
        AssertResults(AllValid(sample.Pristine), outcome);
        var s = outcome.Summary;
        Assert.Equal(SampleTamper.Digests(sample.Pristine).Count, s.DigestFiles);
        Assert.Equal(sample.Result.DigestFiles, s.ValidDigestFiles);
        Assert.Equal(sample.Result.Files, s.ValidLogFiles);
        Assert.Equal((0, 0, 0), (s.InvalidDigestFiles, s.InvalidLogFiles, s.Gaps));
        Assert.True(s.IsValid);
        Assert.Equal(SampleTamper.Digests(sample.Pristine).Count, outcome.Listed);
        Assert.Equal(IntegritySampleFixture.Start, s.FoundStartTime);
        Assert.Equal(IntegritySampleFixture.Start.AddHours(3), s.FoundEndTime);

        // Report order: per region, the newest digest first, each followed by the log files it lists.
        foreach (var region in IntegritySampleFixture.Regions)
        {
            var mine = outcome.Results.Where(r => r.Region == region).ToList();
            var digests = mine.Where(r => r.Kind == LogIntegrityKind.Digest).Select(r => r.Uri).ToList();
            Assert.Equal(SampleTamper.Digests(sample.Pristine, region).Select(p => SampleTamper.Uri(sample.Pristine, p)).Reverse(), digests);
            string? current = null;
            foreach (var r in mine)
            {
                if (r.Kind == LogIntegrityKind.Digest) current = r.Uri;
                else Assert.Equal(current, r.DigestUri);
            }
            Assert.All(mine, r => Assert.Equal(IntegritySampleFixture.Account, r.Account));
        }
        var log = outcome.Results.First(r => r.Kind == LogIntegrityKind.Log);
        Assert.Equal(log.ExpectedSha256, log.ActualSha256);
        Assert.Equal(SampleTamper.Sha256Hex(SampleTamper.Gunzip(Path.Combine(sample.Pristine, log.Uri!["s3://irtrail-sample-cloudtrail/".Length..]))), log.ActualSha256);
        Assert.NotNull(log.LocalPath);
        Assert.True(File.Exists(log.LocalPath));
    }

    [Fact]
    public async Task A_log_whose_content_changed_is_HashMismatch()
    {
        var root = sample.Copy("edit-log");
        var victim = SampleTamper.Logs(root)[5];
        SampleTamper.EditContent(victim);
        var expected = AllValid(root);
        expected[SampleTamper.Uri(root, victim)] = LogIntegrityStatus.HashMismatch;
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        var r = outcome.Results.Single(x => x.Status != LogIntegrityStatus.Valid);
        Assert.NotEqual(r.ExpectedSha256, r.ActualSha256);
        Assert.Equal(SampleTamper.Sha256Hex(SampleTamper.Gunzip(victim)), r.ActualSha256);
        Assert.False(outcome.Summary.IsValid);
        Assert.Equal(1, outcome.Summary.InvalidLogFiles);
    }

    [Fact]
    public async Task A_log_with_a_flipped_compressed_byte_or_data_after_its_gzip_stream_is_InvalidFormat()
    {
        var root = sample.Copy("bad-gzip");
        var logs = SampleTamper.Logs(root);
        SampleTamper.FlipCompressedByte(logs[1]);
        SampleTamper.AppendBytes(logs[2], "junk"u8.ToArray());
        SampleTamper.AppendBytes(logs[3], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // an empty second gzip member
        var expected = AllValid(root);
        foreach (var i in new[] { 1, 2, 3 }) expected[SampleTamper.Uri(root, logs[i])] = LogIntegrityStatus.InvalidFormat;
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        Assert.Contains("4 bytes follow the end of the gzip stream", outcome.Results.Single(r => r.Uri == SampleTamper.Uri(root, logs[2])).Message);
    }

    [Fact]
    public async Task A_deleted_log_is_NotFound()
    {
        var root = sample.Copy("delete-log");
        var victim = SampleTamper.Logs(root)[7];
        var expected = AllValid(root);
        expected[SampleTamper.Uri(root, victim)] = LogIntegrityStatus.NotFound;
        File.Delete(victim);
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        Assert.Equal(victim, outcome.Results.Single(r => r.Status == LogIntegrityStatus.NotFound).LocalPath);
    }

    [Fact]
    public async Task A_changed_digest_is_SignatureInvalid_its_logs_are_not_checked_and_the_walk_goes_on()
    {
        var root = sample.Copy("edit-digest");
        var victim = SampleTamper.Digests(root, "us-east-1")[1]; // the middle hour
        var expected = AllValid(root);
        foreach (var l in ListedBy(victim)) expected.Remove(l);
        expected[SampleTamper.Uri(root, victim)] = LogIntegrityStatus.SignatureInvalid;
        SampleTamper.EditDigest(victim);
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        Assert.Equal(1, outcome.Summary.InvalidDigestFiles);
    }

    [Fact]
    public async Task A_deleted_digest_is_NotFound_and_the_walk_goes_on_to_the_next_older_one()
    {
        var root = sample.Copy("delete-digest");
        var victim = SampleTamper.Digests(root, "eu-west-1")[1];
        var expected = AllValid(root);
        foreach (var l in ListedBy(victim)) expected.Remove(l);
        expected[SampleTamper.Uri(root, victim)] = LogIntegrityStatus.NotFound;
        File.Delete(victim);
        File.Delete(victim + DigestWriter.SignatureSuffix);
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        // Not a gap: the newer digest still points to the missing one.
        Assert.DoesNotContain(outcome.Results, r => r.Kind == LogIntegrityKind.Gap);
    }

    [Fact]
    public async Task A_digest_without_its_signature_is_SignatureInvalid()
    {
        var root = sample.Copy("no-signature");
        var victim = SampleTamper.Digests(root, "us-east-1")[2];
        File.Delete(victim + DigestWriter.SignatureSuffix);
        var expected = AllValid(root);
        foreach (var l in ListedBy(victim)) expected.Remove(l);
        expected[SampleTamper.Uri(root, victim)] = LogIntegrityStatus.SignatureInvalid;
        AssertResults(expected, await IntegrityRun.FolderAsync(root));
    }

    [Fact]
    public async Task A_digest_replaced_and_validly_re_signed_breaks_the_chain_and_is_HashMismatch()
    {
        // Only someone with the private key can do this (here, the sample's seeded key): the CLI reports it valid, since
        // it checks each digest's own signature only; IrTrail checks that it is the digest the newer one recorded.
        var root = sample.Copy("resign");
        var victim = SampleTamper.Digests(root, "us-east-1")[1];
        var digest = SampleTamper.ReadDigest(victim);
        var listed = digest["logFiles"]!.AsArray();
        var dropped = $"s3://{listed[0]!["s3Bucket"]}/{listed[0]!["s3Object"]}";
        listed.RemoveAt(0); // hide a log file from the record
        using (var key = IntegritySampleFixture.SigningKey()) SampleTamper.WriteSigned(victim, digest, key);
        var expected = AllValid(root);
        foreach (var l in ListedBy(victim).Append(dropped)) expected.Remove(l);
        expected[SampleTamper.Uri(root, victim)] = LogIntegrityStatus.HashMismatch;
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        var r = outcome.Results.Single(x => x.Status == LogIntegrityStatus.HashMismatch);
        Assert.Equal(SampleTamper.Uri(root, SampleTamper.Digests(root, "us-east-1")[2]), r.DigestUri);
        Assert.NotEqual(r.ExpectedSha256, r.ActualSha256);
    }

    [Fact]
    public async Task Another_key_finds_no_key_for_any_digest()
    {
        var root = sample.Copy("wrong-key");
        var keyPath = Path.Combine(root, "other-key.pem");
        using (var other = RSA.Create(2048)) File.WriteAllText(keyPath, other.ExportSubjectPublicKeyInfoPem());
        var expected = SampleTamper.Digests(root).ToDictionary(p => SampleTamper.Uri(root, p), _ => LogIntegrityStatus.KeyNotFound);
        var outcome = await IntegrityRun.FolderAsync(root, keyPath: keyPath);
        AssertResults(expected, outcome);
        Assert.All(outcome.Results, r => Assert.Contains(SampleTamper.ReadDigest(SampleTamper.Digests(root)[0])["digestPublicKeyFingerprint"]!.GetValue<string>(), r.Message));
    }

    [Fact]
    public async Task A_digest_under_another_key_name_is_Moved()
    {
        var root = sample.Copy("moved");
        var newest = SampleTamper.Digests(root, "eu-west-1")[^1];
        // The same digest (and signature) under the key of an hour later: it names its old location.
        var moved = newest.Replace("T030000Z", "T040000Z");
        File.Copy(newest, moved);
        File.Copy(newest + DigestWriter.SignatureSuffix, moved + DigestWriter.SignatureSuffix);
        var expected = AllValid(root);
        expected[SampleTamper.Uri(root, moved)] = LogIntegrityStatus.Moved;
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        Assert.Contains(SampleTamper.Uri(root, newest), outcome.Results.Single(r => r.Status == LogIntegrityStatus.Moved).Message);
    }

    [Fact]
    public async Task A_chain_that_starts_again_after_older_digests_is_a_Gap()
    {
        var root = sample.Copy("gap");
        IntegritySampleFixture.CopyTree(sample.Later, root);
        var expected = AllValid(root);
        var outcome = await IntegrityRun.FolderAsync(root);
        AssertResults(expected, outcome);
        var gaps = outcome.Results.Where(r => r.Kind == LogIntegrityKind.Gap).ToList();
        Assert.Equal(IntegritySampleFixture.Regions.Order(), gaps.Select(g => g.Region).Order());
        Assert.All(gaps, g =>
        {
            Assert.Equal(LogIntegrityStatus.Gap, g.Status);
            Assert.Equal(IntegritySampleFixture.Start.AddHours(3), g.StartTime); // the older chain's last digest
            Assert.Equal(IntegritySampleFixture.Start.AddHours(6), g.EndTime);   // the newer chain's first start
            Assert.Equal("No log files were delivered by CloudTrail between 2025-03-03T03:00:00Z and 2025-03-03T06:00:00Z", g.Message);
        });
        Assert.Equal(2, outcome.Summary.Gaps);
        Assert.True(outcome.Summary.IsValid);
    }

    [Fact]
    public async Task A_time_range_lists_the_digests_in_it_and_walks_back_to_the_one_that_starts_before_it()
    {
        // Digests end at 01:00, 02:00 and 03:00. From 01:30 to 02:00: listed are those ending in [01:30, 03:00]
        // (end plus an hour); the walk goes back from 03:00 to the first digest starting before 01:30 (02:00's).
        var start = IntegritySampleFixture.Start;
        var outcome = await IntegrityRun.FolderAsync(sample.Pristine, new IntegrityOptions { StartTime = start.AddMinutes(90), EndTime = start.AddHours(2) });
        var digests = outcome.Results.Where(r => r.Kind == LogIntegrityKind.Digest).ToList();
        Assert.All(digests, d => Assert.Equal(LogIntegrityStatus.Valid, d.Status));
        Assert.Equal([start.AddHours(2), start.AddHours(3)], digests.Select(d => d.EndTime!.Value).Distinct().Order());
        Assert.Equal(2 * IntegritySampleFixture.Regions.Length, digests.Count);
        Assert.Equal(2 * IntegritySampleFixture.Regions.Length, outcome.Listed);
        Assert.Equal(start.AddMinutes(90), outcome.Summary.FoundStartTime);
        Assert.Equal(start.AddHours(2), outcome.Summary.FoundEndTime);
    }

    [Fact]
    public async Task Filters_on_region_account_and_trail()
    {
        var east = await IntegrityRun.FolderAsync(sample.Pristine, new IntegrityOptions { Regions = ["us-east-1"], EndTime = DateTime.UtcNow });
        Assert.NotEmpty(east.Results);
        Assert.All(east.Results, r => Assert.Equal("us-east-1", r.Region));
        var none = await IntegrityRun.FolderAsync(sample.Pristine, new IntegrityOptions { Accounts = ["999999999999"], EndTime = DateTime.UtcNow });
        Assert.Empty(none.Results);
        Assert.Equal(0, none.Listed);
        Assert.False(none.Summary.IsValid);
        Assert.Contains("no digests found", none.Summary.ToString());
        var trail = await IntegrityRun.FolderAsync(sample.Pristine, new IntegrityOptions { TrailName = "other-trail", EndTime = DateTime.UtcNow });
        Assert.Empty(trail.Results);
        var named = await IntegrityRun.FolderAsync(sample.Pristine, new IntegrityOptions { TrailName = SampleDataOptions.TrailName, EndTime = DateTime.UtcNow });
        Assert.Equal(AllValid(sample.Pristine).Count, named.Results.Count);
    }

    [Fact]
    public async Task An_organization_trail_validates_in_its_own_layout()
    {
        var root = Directory.CreateTempSubdirectory("irtrail-org-integrity-").FullName;
        try
        {
            new SampleDataGenerator(new SampleDataOptions
            {
                OutputPath = root, EventCount = 200, Duration = TimeSpan.FromHours(2), Seed = 5, IncludeDigest = true, Organization = "o-abc123defg",
                Accounts = ["111122223333", "444455556666"], Regions = ["us-east-1"],
            }).Generate();
            var outcome = await IntegrityRun.FolderAsync(root);
            AssertResults(AllValid(root), outcome);
            Assert.All(outcome.Results, r => Assert.Equal("o-abc123defg", r.OrganizationId));
            Assert.Equal(["111122223333", "444455556666"], outcome.Results.Select(r => r.Account).Distinct().Order());
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task The_AWSLogs_folder_itself_may_be_given()
    {
        var outcome = await IntegrityRun.FolderAsync(Path.Combine(sample.Pristine, "AWSLogs"), keyPath: Path.Combine(sample.Pristine, SampleDataGenerator.PublicKeyFileName));
        AssertResults(AllValid(sample.Pristine), outcome);
    }

    [Fact]
    public void Public_key_files_load_as_PEM_DER_and_list_public_keys_JSON_with_both_fingerprints()
    {
        var dir = Directory.CreateTempSubdirectory("irtrail-keys-").FullName;
        try
        {
            using var rsa = RSA.Create(2048);
            var spki = rsa.ExportSubjectPublicKeyInfo();
            var pkcs1 = rsa.ExportRSAPublicKey();
            string Md5(byte[] b) => Convert.ToHexString(MD5.HashData(b)).ToLowerInvariant();
            var files = new Dictionary<string, string>
            {
                ["spki.pem"] = rsa.ExportSubjectPublicKeyInfoPem(),
                ["pkcs1.pem"] = rsa.ExportRSAPublicKeyPem(),
                ["list.json"] = $"{{\"PublicKeyList\":[{{\"Value\":\"{Convert.ToBase64String(pkcs1)}\",\"ValidityStartTime\":\"2025-01-01T00:00:00Z\",\"Fingerprint\":\"ABCDEF0123\"}}]}}",
            };
            foreach (var (name, text) in files) File.WriteAllText(Path.Combine(dir, name), text);
            File.WriteAllBytes(Path.Combine(dir, "spki.der"), spki);
            File.WriteAllBytes(Path.Combine(dir, "pkcs1.der"), pkcs1);
            foreach (var name in files.Keys.Concat(["spki.der", "pkcs1.der"]))
            {
                var key = Assert.Single(PublicKeyFile.Load(Path.Combine(dir, name)));
                Assert.True(key.Answers(Md5(spki)), name);
                Assert.True(key.Answers(Md5(pkcs1)), name);
                Assert.Equal(pkcs1, key.Key.ExportRSAPublicKey());
            }
            Assert.True(PublicKeyFile.Load(Path.Combine(dir, "list.json"))[0].Answers("abcdef0123"));
            File.WriteAllText(Path.Combine(dir, "two.pem"), rsa.ExportSubjectPublicKeyInfoPem() + "\n" + SampleTamper_OtherPem());
            Assert.Equal(2, PublicKeyFile.Load(Path.Combine(dir, "two.pem")).Count);
            File.WriteAllText(Path.Combine(dir, "bad.pem"), "not a key");
            Assert.Throws<InvalidDataException>(() => PublicKeyFile.Load(Path.Combine(dir, "bad.pem")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }

        static string SampleTamper_OtherPem()
        {
            using var other = RSA.Create(2048);
            return other.ExportRSAPublicKeyPem();
        }
    }
}
