using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;
using IrTrail.Core.Integrity;

namespace IrTrail.Tests.Engine;

/// <summary>
/// Reading exactly one gzip member: what zlib (and so the AWS CLI) accepts is accepted with the right hash; what it
/// refuses, and data after the end of the member (which GZipStream and CLI 1.x pass over), is reported.
/// </summary>
public sealed class GzipMemberTests
{
    private static byte[] Content(int n, int seed = 1)
    {
        var rng = new Random(seed);
        var b = new byte[n];
        for (var i = 0; i < n; i++) b[i] = rng.Next(4) == 0 ? (byte)rng.Next(256) : (byte)"{\"Records\":[]}"[i % 14];
        return b;
    }

    private static byte[] RawDeflate(byte[] content)
    {
        if (content.Length == 0) return [0x03, 0x00]; // one empty final block (DeflateStream writes nothing for no input)
        using var ms = new MemoryStream();
        using (var d = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true)) d.Write(content);
        return ms.ToArray();
    }

    /// <summary>A gzip member built by hand: header (with optional fields), deflate data, CRC-32 and length.</summary>
    private static byte[] Member(byte[] content, byte flags = 0, byte[]? extra = null, string? name = null, string? comment = null, bool headerCrc = false)
    {
        var h = new List<byte> { 0x1f, 0x8b, 8, (byte)(flags | (extra is null ? 0 : 4) | (name is null ? 0 : 8) | (comment is null ? 0 : 16) | (headerCrc ? 2 : 0)), 0, 0, 0, 0, 0, 255 };
        if (extra is not null) { h.Add((byte)extra.Length); h.Add((byte)(extra.Length >> 8)); h.AddRange(extra); }
        if (name is not null) { h.AddRange(System.Text.Encoding.Latin1.GetBytes(name)); h.Add(0); }
        if (comment is not null) { h.AddRange(System.Text.Encoding.Latin1.GetBytes(comment)); h.Add(0); }
        if (headerCrc)
        {
            var c = Crc32.HashToUInt32(h.ToArray());
            h.Add((byte)c); h.Add((byte)(c >> 8));
        }
        var crc = Crc32.HashToUInt32(content);
        var len = (uint)content.Length;
        return [.. h, .. RawDeflate(content), (byte)crc, (byte)(crc >> 8), (byte)(crc >> 16), (byte)(crc >> 24), (byte)len, (byte)(len >> 8), (byte)(len >> 16), (byte)(len >> 24)];
    }

    private static async Task<GzipReadResult> Read(byte[] bytes, Stream? copy = null, long max = long.MaxValue) =>
        await GzipMember.ReadAsync(new MemoryStream(bytes), bytes.Length, copy, max, default);

    private static string Sha(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(5_000)]
    [InlineData(300_000)]
    public async Task A_well_formed_member_is_Ok_with_the_SHA256_of_its_content(int size)
    {
        var content = Content(size);
        byte[][] forms = [Member(content), Member(content, name: "x.json", comment: "c", extra: [1, 2, 3], headerCrc: true), .. size > 0 ? new[] { GzipStreamBytes(content) } : []];
        foreach (var gz in forms)
        {
            var copy = new MemoryStream();
            var r = await Read(gz, copy);
            Assert.Equal(GzipCheck.Ok, r.Check);
            Assert.Equal(Sha(content), r.Sha256Hex);
            Assert.Equal(content.Length, r.DecompressedLength);
            Assert.Equal(content, copy.ToArray());
        }
    }

    private static byte[] GzipStreamBytes(byte[] content)
    {
        using var ms = new MemoryStream();
        using (var g = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) g.Write(content);
        return ms.ToArray();
    }

    public static TheoryData<string, int> Trailing => new()
    {
        { "one byte", 1 }, { "seven bytes", 7 }, { "eight bytes", 8 }, { "a kilobyte", 1024 }, { "an empty second member", -1 }, { "a second member", -2 },
    };

    [Theory]
    [MemberData(nameof(Trailing))]
    public async Task Data_after_the_member_is_TrailingData_whatever_its_size(string what, int extra)
    {
        foreach (var size in new[] { 10, 40_000 })
        {
            var gz = Member(Content(size));
            var tail = extra switch
            {
                -1 => Member([]),
                -2 => Member(Content(100, 9)),
                _ => Enumerable.Repeat((byte)0x41, extra).ToArray(),
            };
            var r = await Read([.. gz, .. tail]);
            Assert.True(r.Check == GzipCheck.TrailingData, $"{what} after a {size}-byte member: {r.Check} {r.Problem}");
        }
    }

    [Fact]
    public async Task Truncation_anywhere_is_Truncated_or_Corrupt_never_Ok()
    {
        var gz = Member(Content(20_000));
        for (var cut = 1; cut < gz.Length; cut += cut < 40 ? 1 : 97)
        {
            var r = await Read(gz[..^cut]);
            Assert.True(r.Check is GzipCheck.Truncated or GzipCheck.Corrupt or GzipCheck.BadHeader, $"cut {cut}: {r.Check}");
        }
        Assert.Equal(GzipCheck.Truncated, (await Read(gz[..^8])).Check);
        Assert.Equal(GzipCheck.Truncated, (await Read(gz[..^3])).Check);
    }

    [Fact]
    public async Task A_stream_shorter_than_its_stated_length_is_Truncated()
    {
        var gz = Member(Content(1000));
        var r = await GzipMember.ReadAsync(new MemoryStream(gz), gz.Length + 100, null, long.MaxValue, default);
        Assert.Equal(GzipCheck.Truncated, r.Check);
    }

    [Fact]
    public async Task Checksums_header_and_corruption_are_reported()
    {
        var gz = Member(Content(3000));
        var crc = (byte[])gz.Clone();
        crc[^8] ^= 1;
        Assert.Equal(GzipCheck.ChecksumMismatch, (await Read(crc)).Check);
        var size = (byte[])gz.Clone();
        size[^1] ^= 1;
        Assert.Equal(GzipCheck.ChecksumMismatch, (await Read(size)).Check);
        Assert.Equal(GzipCheck.BadHeader, (await Read("{\"Records\":[]}"u8.ToArray())).Check);
        var method = (byte[])gz.Clone();
        method[2] = 7;
        Assert.Equal(GzipCheck.BadHeader, (await Read(method)).Check);
        Assert.Equal(GzipCheck.BadHeader, (await Read(Member(Content(10), flags: 0x20))).Check);
        var hcrc = Member(Content(10), name: "n", headerCrc: true);
        hcrc[12] ^= 0xff; // the name's first byte: the header CRC no longer matches
        Assert.Equal(GzipCheck.BadHeader, (await Read(hcrc)).Check);
        // Flipping bytes in the deflate data gives corrupt data or a checksum mismatch: never Ok.
        for (var i = 12; i < gz.Length - 8; i += 37)
        {
            var bad = (byte[])gz.Clone();
            bad[i] ^= 0x5a;
            var r = await Read(bad);
            Assert.True(r.Check is GzipCheck.Corrupt or GzipCheck.ChecksumMismatch or GzipCheck.TrailingData or GzipCheck.Truncated, $"byte {i}: {r.Check}");
        }
    }

    [Fact]
    public async Task Content_above_the_limit_is_TooLarge()
    {
        var r = await Read(Member(Content(10_000)), max: 9_999);
        Assert.Equal(GzipCheck.TooLarge, r.Check);
        Assert.Equal(GzipCheck.Ok, (await Read(Member(Content(10_000)), max: 10_000)).Check);
    }
}
