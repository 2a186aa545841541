using System.Buffers;
using System.Security.Cryptography;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Passes reads through while hashing them (SHA-256 of the source as stored, for the manifest), reading ahead from the
/// source in blocks of <see cref="BlockBytes"/>. A gzip source is read by the decompressor 8 KB at a time, and a local
/// file's asynchronous read goes through the thread pool on Linux: one hop per 8 KB. From the block, those reads
/// complete at once.
/// </summary>
internal sealed class HashingReadStream(Stream inner) : Stream
{
    internal const int BlockBytes = 256 * 1024;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? _block;
    private int _blockPos, _blockEnd;

    /// <summary>Bytes read from the source so far (read ahead included).</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads whatever is left (so the hash covers the whole source) and returns the hex digest.</summary>
    public async Task<string> FinishAsync(CancellationToken cancellationToken)
    {
        _blockPos = _blockEnd; // buffered bytes are hashed already
        // Pooled: called once per source, and usually there is nothing left to read.
        var buf = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (await ReadAsync(buf, cancellationToken).ConfigureAwait(false) > 0) { }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
        return Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_blockPos < _blockEnd || buffer.IsEmpty) return Take(buffer);
        if (buffer.Length >= BlockBytes / 2) return Hashed(buffer, inner.Read(buffer));
        var block = _block ??= ArrayPool<byte>.Shared.Rent(BlockBytes);
        _blockPos = 0;
        _blockEnd = Hashed(block, inner.Read(block, 0, BlockBytes));
        return Take(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _blockPos < _blockEnd || buffer.IsEmpty ? new ValueTask<int>(Take(buffer.Span)) : FillAsync(buffer, cancellationToken);

    private async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // A large read (the scanner's own, on an uncompressed source) goes straight into the caller's buffer.
        if (buffer.Length >= BlockBytes / 2)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Hashed(buffer.Span, read);
        }
        var block = _block ??= ArrayPool<byte>.Shared.Rent(BlockBytes);
        var n = await inner.ReadAsync(block.AsMemory(0, BlockBytes), cancellationToken).ConfigureAwait(false);
        _blockPos = 0;
        _blockEnd = Hashed(block, n);
        return Take(buffer.Span);
    }

    private int Hashed(ReadOnlySpan<byte> data, int n)
    {
        _hash.AppendData(data[..n]);
        BytesRead += n;
        return n;
    }

    private int Take(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _blockEnd - _blockPos);
        _block.AsSpan(_blockPos, n).CopyTo(destination);
        _blockPos += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => BytesRead - (_blockEnd - _blockPos); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
            if (_block is { } block) { _block = null; ArrayPool<byte>.Shared.Return(block); }
        }
        base.Dispose(disposing);
    }
}
