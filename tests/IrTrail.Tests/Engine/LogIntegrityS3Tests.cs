using IrTrail.Core.Aws;
using IrTrail.Core.Integrity;
using IrTrail.Core.Sample;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>Validation over S3 (moto): the same findings as over the same files on disk, signatures from S3 metadata,
/// keys from ListPublicKeys (a test implementation of the narrow interface the CloudTrail client will implement).</summary>
[Collection(MotoCollection.Name)]
[Trait("Tier", "Full")]
public sealed class LogIntegrityS3Tests(MotoServerFixture moto, IntegritySampleFixture sample) : IClassFixture<IntegritySampleFixture>
{
    private static readonly IntegrityOptions Everything = new() { EndTime = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc) };

    private async Task<IntegrityRun.Outcome> S3Async(IPublicKeySource keys, IntegrityOptions? options = null, string prefix = "")
    {
        using var store = new S3IntegrityStore(MotoSamples.Session(moto), IntegritySampleFixture.Bucket, null, prefix);
        return await IntegrityRun.RunAsync(store, keys, options ?? Everything);
    }

    private static List<(string?, LogIntegrityStatus, LogIntegrityKind)> Findings(IntegrityRun.Outcome o) =>
        o.Results.Select(r => (r.Uri, r.Status, r.Kind)).ToList();

    [MotoFact]
    public async Task S3_gives_what_the_same_files_on_disk_give_with_keys_from_ListPublicKeys()
    {
        var root = sample.Copy("s3");
        SampleTamper.EditContent(SampleTamper.Logs(root)[3]);
        File.Delete(SampleTamper.Logs(root)[9]);
        await MotoSamples.UploadAsync(moto, root);
        var (der, fingerprint) = SampleTamper.PublicKey(root);
        var api = new FakePublicKeyApi((der, fingerprint));
        using var keys = new CloudTrailPublicKeySource(api);

        var fromS3 = await S3Async(keys);
        var fromDisk = await IntegrityRun.FolderAsync(root, Everything);
        Assert.Empty(fromS3.NotChecked);
        Assert.Equal(Findings(fromDisk), Findings(fromS3)); // same order too
        Assert.Contains(fromS3.Results, r => r.Status == LogIntegrityStatus.HashMismatch);
        Assert.Contains(fromS3.Results, r => r.Status == LogIntegrityStatus.NotFound);
        Assert.All(fromS3.Results, r => Assert.Null(r.LocalPath));
        // One ListPublicKeys call per region, for the period listed (from two hours before the oldest digest).
        Assert.Equal(IntegritySampleFixture.Regions.Order(), api.Calls.Select(c => c.Region).Order());
        Assert.All(api.Calls, c => Assert.Equal((IntegritySampleFixture.Start.AddHours(-1), Everything.EndTime.AddHours(2)), (c.Start, c.End)));
    }

    [MotoFact]
    public async Task A_digest_without_signature_metadata_is_SignatureInvalid_and_a_wrong_key_is_KeyNotFound()
    {
        var victim = SampleTamper.Digests(sample.Pristine, "eu-west-1")[^1];
        await MotoSamples.UploadAsync(moto, sample.Pristine, withoutMetadata: f => f == victim);
        var (der, fingerprint) = SampleTamper.PublicKey(sample.Pristine);
        using (var keys = new CloudTrailPublicKeySource(new FakePublicKeyApi((der, fingerprint))))
        {
            var o = await S3Async(keys);
            var bad = Assert.Single(o.Results, r => r.Status != LogIntegrityStatus.Valid);
            Assert.Equal((SampleTamper.Uri(sample.Pristine, victim), LogIntegrityStatus.SignatureInvalid), (bad.Uri, bad.Status));
            Assert.Contains("x-amz-meta-signature", bad.Message);
        }
        using var other = System.Security.Cryptography.RSA.Create(2048);
        using (var keys = new CloudTrailPublicKeySource(new FakePublicKeyApi((other.ExportRSAPublicKey(), "0123456789abcdef0123456789abcdef"))))
        {
            var o = await S3Async(keys, new IntegrityOptions { Regions = ["us-east-1"], EndTime = Everything.EndTime });
            Assert.Equal(3, o.Results.Count);
            Assert.All(o.Results, r => Assert.Equal(LogIntegrityStatus.KeyNotFound, r.Status));
            Assert.All(o.Results, r => Assert.Contains($"public key not found in region us-east-1 for fingerprint {fingerprint}", r.Message));
        }
    }

    [MotoFact]
    public async Task When_ListPublicKeys_fails_the_chain_is_not_checked_and_says_why()
    {
        await MotoSamples.UploadAsync(moto, sample.Pristine);
        var api = new FakePublicKeyApi { Failure = new AwsException(AwsErrorKind.AccessDenied, "cloudtrail:ListPublicKeys was denied") };
        using var keys = new CloudTrailPublicKeySource(api);
        var o = await S3Async(keys);
        Assert.Empty(o.Results);
        Assert.Equal(IntegritySampleFixture.Regions.Length, o.NotChecked.Count); // one per chain, not one per digest
        Assert.All(o.NotChecked, n =>
        {
            Assert.IsType<KeyServiceException>(n.Error);
            Assert.Contains("ListPublicKeys was denied", n.Error.Message);
            Assert.IsType<AwsException>(n.Error.InnerException);
        });
        Assert.False(o.Summary.IsValid);
        Assert.Equal(2, o.Summary.NotChecked);
    }

    [MotoFact]
    public async Task Backfill_digests_form_chains_of_their_own_and_need_their_generation_timestamp()
    {
        var root = sample.Copy("backfill");
        var backfill = SampleTamper.AddBackfill(root, "us-east-1", IntegritySampleFixture.Start.AddDays(3));
        var edited = SampleTamper.Logs(root, "us-east-1")[3]; // the second backfill digest lists log files 2 and 3
        SampleTamper.EditContent(edited);
        File.Delete(backfill[0] + SampleTamper.BackfillSuffix); // the older one loses its backfill-generation-timestamp
        await MotoSamples.UploadAsync(moto, root);
        var (der, fingerprint) = SampleTamper.PublicKey(root);
        using var keys = new CloudTrailPublicKeySource(new FakePublicKeyApi((der, fingerprint)));
        var o = await S3Async(keys, new IntegrityOptions { Regions = ["us-east-1"], EndTime = Everything.EndTime });
        var fromBackfill = o.Results.Where(r => r.IsBackfill).ToList();
        Assert.Equal([SampleTamper.Uri(root, backfill[1]), SampleTamper.Uri(root, backfill[0])],
            fromBackfill.Where(r => r.Kind == LogIntegrityKind.Digest).Select(r => r.Uri));
        Assert.Equal(LogIntegrityStatus.Valid, fromBackfill[0].Status);
        Assert.Equal(LogIntegrityStatus.InvalidFormat, fromBackfill.Single(r => r.Uri == SampleTamper.Uri(root, backfill[0])).Status);
        Assert.Contains("backfill-generation-timestamp", fromBackfill.Single(r => r.Uri == SampleTamper.Uri(root, backfill[0])).Message);
        // The edited log file is reported by the standard chain and by the backfill digest that lists it.
        Assert.Equal(2, o.Results.Count(r => r.Uri == SampleTamper.Uri(root, edited) && r.Status == LogIntegrityStatus.HashMismatch));
        Assert.Equal((2, 1), (o.Summary.BackfillDigestFiles, o.Summary.ValidBackfillDigestFiles));
        Assert.Equal(3, o.Summary.DigestFiles);
        Assert.Contains("1/2 backfill digest files valid", o.Summary.ToString());
    }

    [MotoFact]
    public async Task A_missing_bucket_fails_the_listing()
    {
        await moto.ResetAsync();
        using var keys = IntegrityRun.KeysFrom(sample.Result.PublicKeyPath!);
        var ex = await Assert.ThrowsAsync<AwsException>(() => S3Async(keys));
        Assert.Equal(AwsErrorKind.NotFound, ex.Kind);
    }
}
