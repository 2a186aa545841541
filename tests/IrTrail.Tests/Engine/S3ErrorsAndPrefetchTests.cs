using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using IrTrail.Core.Aws;
using IrTrail.Core.Sources;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class S3ErrorsTests
{
    private static AmazonS3Exception Service(string code, string message, HttpStatusCode status) =>
        new(message, null, ErrorType.Sender, code, "REQ123", status);

    [Fact]
    public void KmsDenialNamesTheKeyPermission()
    {
        var e = S3Errors.Map(Service("AccessDenied", "User is not authorized to perform: kms:Decrypt on resource arn:aws:kms:...", HttpStatusCode.Forbidden), "b", "k", "Reading");
        Assert.Equal(AwsErrorKind.KmsAccessDenied, e.Kind);
        Assert.Contains("kms:Decrypt", e.Message);
        Assert.Equal("s3://b/k", e.Target);
        Assert.Equal("REQ123", e.RequestId);
    }

    [Theory]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, AwsErrorKind.AccessDenied)]
    [InlineData("NoSuchKey", HttpStatusCode.NotFound, AwsErrorKind.NotFound)]
    [InlineData("NoSuchBucket", HttpStatusCode.NotFound, AwsErrorKind.NotFound)]
    [InlineData("SlowDown", HttpStatusCode.ServiceUnavailable, AwsErrorKind.Throttled)]
    [InlineData("InternalError", HttpStatusCode.InternalServerError, AwsErrorKind.Service)]
    public void ServiceErrorsMapToKinds(string code, HttpStatusCode status, AwsErrorKind kind)
    {
        var e = S3Errors.Map(Service(code, "m", status), "b", "k", "Reading");
        Assert.Equal(kind, e.Kind);
        Assert.Equal(code, e.ErrorCode);
        Assert.IsAssignableFrom<IOException>(e); // the record reader reports it as that source's fault and goes on
    }
}

public sealed class PrefetchQueueTests
{
    private sealed class Source(string uri, byte[]? bytes) : ILogSource
    {
        public string Uri => uri;
        public long? Length => bytes?.Length ?? 10;
        public async ValueTask<Stream> OpenAsync(CancellationToken ct)
        {
            await Task.Delay(Random.Shared.Next(1, 20), ct);
            return bytes is null ? throw new IOException("gone: " + uri) : new MemoryStream(bytes);
        }
    }

    [Fact]
    public async Task KeepsOrderAndSurfacesErrorsWhenOpened()
    {
        using var q = new PrefetchQueue(3);
        var taken = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            q.Enqueue(new Source($"s{i}", i == 4 ? null : [(byte)i]));
            while (q.IsFull) taken.Add(await Read(q.Dequeue()));
        }
        while (q.Count > 0) taken.Add(await Read(q.Dequeue()));
        Assert.Equal(["s0:0", "s1:1", "s2:2", "s3:3", "s4:error", "s5:5", "s6:6", "s7:7", "s8:8", "s9:9"], taken);
    }

    private static async Task<string> Read(ILogSource s)
    {
        try
        {
            await using var stream = await s.OpenAsync(default);
            return $"{s.Uri}:{stream.ReadByte()}";
        }
        catch (IOException)
        {
            return $"{s.Uri}:error";
        }
    }
}
