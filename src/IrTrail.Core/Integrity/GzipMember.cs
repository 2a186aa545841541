using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace IrTrail.Core.Integrity;

/// <summary>What reading a CloudTrail object as exactly one gzip member found.</summary>
internal enum GzipCheck
{
    Ok,
    /// <summary>Not a gzip stream, or a header zlib would refuse (method, reserved flags, header CRC).</summary>
    BadHeader,
    /// <summary>The deflate data is corrupt.</summary>
    Corrupt,
    /// <summary>The stream ends before the deflate data or its 8-byte trailer does.</summary>
    Truncated,
    /// <summary>The trailer's CRC-32 or length does not match the data.</summary>
    ChecksumMismatch,
    /// <summary>Bytes follow the end of the gzip member (garbage, or a second member).</summary>
    TrailingData,
    /// <summary>The decompressed content is larger than the caller allows.</summary>
    TooLarge,
}

internal readonly record struct GzipReadResult(GzipCheck Check, string? Problem, string Sha256Hex, long DecompressedLength)
{
    public bool IsOk => Check == GzipCheck.Ok;
}

/// <summary>
/// Reads an object that must be exactly one gzip member, as CloudTrail writes log and digest files, and hashes the
/// decompressed bytes (SHA-256). Stricter than GZipStream, which reads concatenated members and cannot say where the
/// deflate data ended: the deflate data is fed to DeflateStream in large chunks until the last
/// <see cref="TailWindow"/> bytes of the object, then one byte at a time, so that when the deflate stream finishes the
/// number of bytes handed out is exactly where it ended. A well-formed member ends 8 bytes (the trailer) before the
/// object does; finishing earlier means data after the gzip stream. This is why the object's length must be known.
/// </summary>
internal static class GzipMember
{
    /// <summary>Bytes at the end of the object fed one at a time (at least the 8-byte trailer plus one).</summary>
    internal const int TailWindow = 64;

    private const byte Id1 = 0x1f, Id2 = 0x8b, Deflate = 8;
    private const byte FlagHcrc = 0x02, FlagExtra = 0x04, FlagName = 0x08, FlagComment = 0x10, FlagsReserved = 0xE0;

    /// <param name="compressed">The object's bytes from the start (not seeked, not disposed).</param>
    /// <param name="length">The object's length in bytes (S3 Content-Length, file length).</param>
    /// <param name="copy">Receives the decompressed bytes as well, when given (digests are parsed afterwards).</param>
    /// <param name="maxDecompressed">Decompressed bytes beyond this many are <see cref="GzipCheck.TooLarge"/>.</param>
    public static async Task<GzipReadResult> ReadAsync(Stream compressed, long length, Stream? copy, long maxDecompressed, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var crc = new Crc32();
        long produced = 0;
        var metered = new MeteredStream(compressed, length);
        GzipReadResult Result(GzipCheck check, string? problem) =>
            new(check, problem, Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant(), produced);

        var header = await ReadHeaderAsync(metered, cancellationToken).ConfigureAwait(false);
        if (header is not null) return Result(header.Value.Check, header.Value.Problem);

        var buffer = new byte[1 << 16];
        await using (var inflater = new DeflateStream(metered, CompressionMode.Decompress, leaveOpen: true))
        {
            while (true)
            {
                int n;
                try
                {
                    n = await inflater.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException ex)
                {
                    return Result(GzipCheck.Corrupt, "the deflate data is corrupt: " + ex.Message);
                }
                if (n == 0) break;
                produced += n;
                if (produced > maxDecompressed) return Result(GzipCheck.TooLarge, $"more than {maxDecompressed:N0} bytes when decompressed");
                sha.AppendData(buffer, 0, n);
                crc.Append(buffer.AsSpan(0, n));
                if (copy is not null) await copy.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }

        // DeflateStream returns 0 at the end of the deflate data, or when the object ran out first (it does not throw).
        var end = metered.Position;
        if (end == length || metered.SawEnd) return Result(GzipCheck.Truncated, "the gzip stream is truncated (no complete trailer)");
        if (metered.FinishedInBulk)
        {
            // The deflate data ended well before the stated length: data follows it, unless the object is shorter than stated.
            var rest = await DrainAsync(compressed, cancellationToken).ConfigureAwait(false);
            return end + rest < length
                ? Result(GzipCheck.Truncated, $"the object ends after {end + rest:N0} of its {length:N0} bytes")
                : Result(GzipCheck.TrailingData, $"data follows the end of the gzip stream (at least {length - end - 8:N0} bytes)");
        }
        var trailer = new byte[8];
        var got = await ReadFullyAsync(metered, trailer, cancellationToken).ConfigureAwait(false);
        if (got < 8) return Result(GzipCheck.Truncated, "the gzip stream is truncated (no complete trailer)");
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var expectedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer.AsSpan(4));
        if (expectedCrc != crc.GetCurrentHashAsUInt32()) return Result(GzipCheck.ChecksumMismatch, "the gzip CRC-32 does not match the data");
        if (expectedSize != (uint)produced) return Result(GzipCheck.ChecksumMismatch, "the gzip length field does not match the data");
        if (metered.Position < length) return Result(GzipCheck.TrailingData, $"{length - metered.Position:N0} bytes follow the end of the gzip stream");
        if (await metered.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) > 0)
            return Result(GzipCheck.TrailingData, "data follows the end of the gzip stream (the object is longer than its stated length)");
        return Result(GzipCheck.Ok, null);
    }

    /// <summary>Parses (and, with FHCRC, checks) the gzip header; null when it is good.</summary>
    private static async Task<(GzipCheck Check, string Problem)?> ReadHeaderAsync(MeteredStream s, CancellationToken ct)
    {
        var crc = new Crc32();
        var fixedPart = new byte[10];
        var got = await ReadFullyAsync(s, fixedPart, ct).ConfigureAwait(false);
        if (got < 2 || fixedPart[0] != Id1 || fixedPart[1] != Id2) return (GzipCheck.BadHeader, "not a gzip stream");
        if (got < 10) return (GzipCheck.Truncated, "the gzip header is truncated");
        if (fixedPart[2] != Deflate) return (GzipCheck.BadHeader, $"unknown gzip compression method {fixedPart[2]}");
        var flags = fixedPart[3];
        if ((flags & FlagsReserved) != 0) return (GzipCheck.BadHeader, "reserved gzip header flags are set");
        crc.Append(fixedPart);
        var one = new byte[1];
        if ((flags & FlagExtra) != 0)
        {
            var len = new byte[2];
            if (await ReadFullyAsync(s, len, ct).ConfigureAwait(false) < 2) return (GzipCheck.Truncated, "the gzip header is truncated");
            crc.Append(len);
            var extra = new byte[len[0] | len[1] << 8];
            if (await ReadFullyAsync(s, extra, ct).ConfigureAwait(false) < extra.Length) return (GzipCheck.Truncated, "the gzip header is truncated");
            crc.Append(extra);
        }
        foreach (var flag in new[] { FlagName, FlagComment })
        {
            if ((flags & flag) == 0) continue;
            do
            {
                if (await s.ReadAsync(one, ct).ConfigureAwait(false) == 0) return (GzipCheck.Truncated, "the gzip header is truncated");
                crc.Append(one);
            } while (one[0] != 0);
        }
        if ((flags & FlagHcrc) != 0)
        {
            var hcrc = new byte[2];
            if (await ReadFullyAsync(s, hcrc, ct).ConfigureAwait(false) < 2) return (GzipCheck.Truncated, "the gzip header is truncated");
            if ((hcrc[0] | hcrc[1] << 8) != (crc.GetCurrentHashAsUInt32() & 0xFFFF)) return (GzipCheck.BadHeader, "the gzip header CRC does not match");
        }
        return null;
    }

    private static async Task<long> DrainAsync(Stream s, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await s.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0) total += n;
        return total;
    }

    private static async Task<int> ReadFullyAsync(Stream s, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await s.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Hands out the object in large reads up to <see cref="TailWindow"/> bytes before its end, then one byte per read,
    /// and counts what it handed out. Records whether a read ever came back short of the stated length (the object
    /// ended early) and whether DeflateStream stopped asking while still in the bulk part.
    /// </summary>
    private sealed class MeteredStream(Stream inner, long length) : Stream
    {
        private readonly long _bulkEnd = Math.Max(0, length - TailWindow);
        private long _position;

        public bool SawEnd { get; private set; }

        /// <summary>True when the consumer stopped before reaching the one-byte tail: the deflate data ended early.</summary>
        public bool FinishedInBulk => _position <= _bulkEnd && !SawEnd;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length == 0) return 0;
            var want = _position < _bulkEnd ? (int)Math.Min(buffer.Length, _bulkEnd - _position) : 1;
            var n = await inner.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            if (n == 0) SawEnd = true;
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
