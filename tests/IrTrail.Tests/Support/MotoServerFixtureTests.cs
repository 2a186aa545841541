using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace IrTrail.Tests.Support;

/// <summary>The emulator fixture itself: it answers, and a reset forgets what tests made.</summary>
[Collection(MotoCollection.Name)]
[Trait("Tier", "Full")]
public sealed class MotoServerFixtureTests(MotoServerFixture moto)
{
    [MotoFact]
    public async Task A_reset_forgets_the_resources_tests_made()
    {
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(MotoServerFixture.AccessKey, MotoServerFixture.SecretKey),
            new AmazonS3Config { ServiceURL = moto.EndpointUrl, ForcePathStyle = true, AuthenticationRegion = MotoServerFixture.Region });
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "irtrail-fixture-check" });
        Assert.Contains((await s3.ListBucketsAsync(new ListBucketsRequest())).Buckets ?? [], b => b.BucketName == "irtrail-fixture-check");

        await moto.ResetAsync();

        Assert.DoesNotContain((await s3.ListBucketsAsync(new ListBucketsRequest())).Buckets ?? [], b => b.BucketName == "irtrail-fixture-check");
    }
}
