using System.Security.Cryptography;
using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class HashingReadStreamTests
{
    public static TheoryData<int> Sizes => new() { 0, 1, 8191, HashingReadStream.BlockBytes - 1, HashingReadStream.BlockBytes, 1_048_583 };

    /// <summary>Read as the decompressor reads (8 KB at a time), as the scanner reads an uncompressed source (large
    /// reads straight through), and mixed with synchronous reads: every byte arrives once and in order, and the hash
    /// is the whole source's.</summary>
    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Passes_every_byte_through_and_hashes_the_whole_source(int size)
    {
        var data = new byte[size];
        new Random(size).NextBytes(data);
        var expectedHash = Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();
        foreach (var pattern in new[] { new[] { 8192 }, new[] { 200_000 }, new[] { 8192, 200_000, 1, 65536 } })
        {
            await using var s = new HashingReadStream(new MemoryStream(data));
            var got = new MemoryStream();
            var buffer = new byte[200_000];
            for (var k = 0; ; k++)
            {
                var want = pattern[k % pattern.Length];
                var n = k % 3 == 2 ? s.Read(buffer, 0, want) : await s.ReadAsync(buffer.AsMemory(0, want));
                if (n == 0) break;
                got.Write(buffer, 0, n);
            }
            Assert.Equal(data, got.ToArray());
            Assert.Equal(expectedHash, await s.FinishAsync(CancellationToken.None));
            Assert.Equal(size, s.BytesRead);
        }
    }

    /// <summary>A source the reader stopped reading early (its JSON ended before the file did) is still hashed whole.</summary>
    [Fact]
    public async Task Finish_hashes_what_was_not_read()
    {
        var data = new byte[700_001];
        new Random(1).NextBytes(data);
        await using var s = new HashingReadStream(new MemoryStream(data));
        var buffer = new byte[8192];
        Assert.Equal(8192, await s.ReadAsync(buffer));
        Assert.Equal(data.AsSpan(0, 8192).ToArray(), buffer);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(), await s.FinishAsync(CancellationToken.None));
        Assert.Equal(data.Length, s.BytesRead);
    }
}
