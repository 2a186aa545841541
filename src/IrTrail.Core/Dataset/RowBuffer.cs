using System.Runtime.CompilerServices;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Rows kept as UTF-8 slices in a chunked byte arena (no strings, no per-row objects): the converter's in-memory
/// form between the record mapper and the Parquet writer. Each row's bytes live in one chunk, so a row is one chunk
/// index plus an (offset, length) per text slot; length -1 means null.
/// </summary>
public sealed class RowBuffer
{
    private const int ChunkSize = 1 << 20;

    // 1 MB chunks live on the large object heap, which only a full GC reclaims: recycle them instead of dropping them
    // (bounded, so a burst does not stay resident).
    private static readonly System.Collections.Concurrent.ConcurrentBag<byte[]> FreeChunks = [];
    private const int MaxFreeChunks = 16;
    private readonly bool _bigChunks;

    /// <param name="bigChunks">Start with 1 MB (recycled) chunks: for buffers that are filled and cleared over and over
    /// (batches, row groups). Per-partition buffers start small so that hundreds of small partitions stay cheap.</param>
    public RowBuffer(bool bigChunks = false) => _bigChunks = bigChunks;

    /// <summary>Made for reuse (1 MB chunks, index arrays kept by <see cref="Clear"/>): worth pooling.</summary>
    public bool Reusable => _bigChunks;
    private readonly List<byte[]> _chunks = [];
    private int _chunkUsed = ChunkSize; // forces a first chunk
    private int[] _rowChunk = new int[256];
    // Where each row's slices start in its chunk and how many bytes they take: a row's slices are written one after
    // another, so they are one contiguous range, which CopyRow moves in one copy instead of one per slot.
    private int[] _rowOff = new int[256];
    private int[] _rowLen = new int[256];
    private int[] _off = new int[256 * DatasetColumns.Count];
    private int[] _len = new int[256 * DatasetColumns.Count];
    private long[] _time = new long[256];
    private sbyte[] _bools = new sbyte[256 * DatasetColumns.BoolCount];
    private long[] _record = new long[256];
    /// <summary>Which userIdentity objects the record had (see <see cref="StructBits"/>), so an empty one is kept.</summary>
    private byte[] _structs = new byte[256];
    private long _arenaBytes;
    private int _reservedEnd;
    private int _rowStart;

    public int Count { get; private set; }

    /// <summary>Memory held, approximately (arena plus per-row index arrays).</summary>
    public long ApproxBytes => _arenaBytes + (long)_rowChunk.Length * RowIndexBytes;

    /// <summary>How full the buffer is: its rows' arena and index bytes. Unlike <see cref="ApproxBytes"/> this does not
    /// count the index arrays a reused buffer keeps from earlier fills, which would make it look full when empty.</summary>
    public long FillBytes => _arenaBytes + (long)Count * RowIndexBytes;

    internal const int RowIndexBytes = DatasetColumns.Count * 8 + 33;

    /// <summary>Null eventTime marker.</summary>
    public const long NoTime = long.MinValue;

    /// <summary>Starts a row with room for <paramref name="maxBytes"/> bytes of slices. Returns its index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public int BeginRow(int maxBytes)
    {
        EnsureRows(Count + 1);
        if (_chunkUsed + maxBytes > CurrentChunkLength)
        {
            // Small first chunks so that many small partitions stay cheap; 1 MB once a buffer is busy.
            var size = Math.Max(_bigChunks ? ChunkSize : Math.Min(ChunkSize, 64 * 1024 << Math.Min(_chunks.Count, 4)), maxBytes);
            _chunks.Add(size == ChunkSize && FreeChunks.TryTake(out var free) ? free : new byte[size]);
            _arenaBytes += size;
            _chunkUsed = 0;
        }
        _reservedEnd = _chunkUsed + maxBytes;
        _rowStart = _chunkUsed;
        var r = Count;
        _rowChunk[r] = _chunks.Count - 1;
        _rowOff[r] = _chunkUsed;
        // Every slot NULL (-1, all bits set) by a block fill the compiler inlines: Array.Fill is a generic framework
        // method that ran unoptimised for much of a 1M conversion, once per event.
        _ = _len[(r + 1) * DatasetColumns.Count - 1];
        _ = _bools[(r + 1) * DatasetColumns.BoolCount - 1];
        Unsafe.InitBlockUnaligned(ref Unsafe.As<int, byte>(ref _len[r * DatasetColumns.Count]), 0xFF, DatasetColumns.Count * sizeof(int));
        Unsafe.InitBlockUnaligned(ref Unsafe.As<sbyte, byte>(ref _bools[r * DatasetColumns.BoolCount]), 0xFF, DatasetColumns.BoolCount);
        _time[r] = NoTime;
        _record[r] = 0;
        _structs[r] = 0;
        return r;
    }

    private int CurrentChunkLength => _chunks.Count == 0 ? 0 : _chunks[^1].Length;

    /// <summary>Space to write a slice into directly; commit it with <see cref="CommitSlice"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public Span<byte> SliceSpace(int maxLength)
    {
        if (_chunkUsed + maxLength > _reservedEnd) throw new InvalidOperationException("Row exceeds its reserved size.");
        return _chunks[^1].AsSpan(_chunkUsed, maxLength);
    }

    public void CommitSlice(int slot, int length)
    {
        var i = Count * DatasetColumns.Count + slot;
        _off[i] = _chunkUsed;
        _len[i] = length;
        _chunkUsed += length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: every value of every record
    public void Set(int slot, ReadOnlySpan<byte> value)
    {
        ShortCopy.Copy(value, SliceSpace(value.Length));
        CommitSlice(slot, value.Length);
    }

    public void SetTime(long ticks) => _time[Count] = ticks;
    public void SetBool(int slot, bool value) => _bools[Count * DatasetColumns.BoolCount + slot] = (sbyte)(value ? 1 : 0);
    public void SetRecordIndex(long index) => _record[Count] = index;
    /// <summary>Marks one of the row's struct objects (<see cref="StructBits"/>) as present, empty or not.</summary>
    public void SetStructPresent(byte bit) => _structs[Count] |= bit;
    public void EndRow()
    {
        _rowLen[Count] = _chunkUsed - _rowStart;
        Count++;
    }

    /// <summary>Drops the row being built (a record that turned out not to be an event).</summary>
    public void AbandonRow() => _chunkUsed = _rowStart;

    public ReadOnlySpan<byte> Get(int row, int slot)
    {
        var i = row * DatasetColumns.Count + slot;
        var l = _len[i];
        return l < 0 ? default : _chunks[_rowChunk[row]].AsSpan(_off[i], l);
    }

    public ReadOnlyMemory<byte>? GetMemory(int row, int slot)
    {
        var i = row * DatasetColumns.Count + slot;
        var l = _len[i];
        // Not `l < 0 ? null : …`: that null would convert to an empty ReadOnlyMemory (through byte[]), not to no value.
        if (l < 0) return null;
        return _chunks[_rowChunk[row]].AsMemory(_off[i], l);
    }

    /// <summary>Bytes and NULLs of each of <paramref name="slots"/> over rows <paramref name="order"/>: one pass, row by
    /// row, reading each row's lengths together rather than one slot's across all rows at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: once per batch written
    public void SlotTotals(ReadOnlySpan<int> order, ReadOnlySpan<int> slots, Span<long> totals, Span<int> nulls)
    {
        var len = _len;
        foreach (var r in order)
        {
            var b = r * DatasetColumns.Count;
            for (var j = 0; j < slots.Length; j++)
            {
                var l = len[b + slots[j]];
                if (l < 0) nulls[j]++;
                else totals[j] += l;
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="slots"/> of rows <paramref name="order"/> end to end, as Arrow string columns: slot j's
    /// values into <paramref name="data"/>[j] (sized by <see cref="SlotTotals"/>), each value's start and then the end
    /// into <paramref name="offsets"/>[j]; with a <paramref name="validity"/>[j] bitmap (zeroed), non-NULL values set
    /// their bit. Row by row: a row's slices lie together in its chunk, and its lengths and offsets are read once, not
    /// once per column (a batch's index arrays are larger than a core's cache).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: once per batch written
    public unsafe void GatherSlots(ReadOnlySpan<int> order, ReadOnlySpan<int> slots, ReadOnlySpan<nint> offsets,
        ReadOnlySpan<nint> data, byte[]?[] validity)
    {
        var len = _len;
        var off = _off;
        var rowChunk = _rowChunk;
        var chunks = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_chunks);
        Span<int> at = stackalloc int[slots.Length];
        at.Clear(); // not left to the runtime's zeroing of stackalloc, which SkipLocalsInit would turn off
        for (var i = 0; i < order.Length; i++)
        {
            var r = order[i];
            var b = r * DatasetColumns.Count;
            var chunk = chunks[rowChunk[r]];
            for (var j = 0; j < slots.Length; j++)
            {
                ((int*)offsets[j])[i] = at[j];
                var k = b + slots[j];
                var l = len[k];
                if (l < 0) continue;
                ShortCopy.Copy(chunk.AsSpan(off[k], l), new Span<byte>((byte*)data[j] + at[j], l));
                at[j] += l;
                if (validity[j] is { } v) v[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
        for (var j = 0; j < slots.Length; j++) ((int*)offsets[j])[order.Length] = at[j];
    }

    public bool IsNull(int row, int slot) => _len[row * DatasetColumns.Count + slot] < 0;
    public long Time(int row) => _time[row];
    public bool? Bool(int row, int slot) => _bools[row * DatasetColumns.BoolCount + slot] switch { 1 => true, 0 => false, _ => null };
    public long RecordIndex(int row) => _record[row];
    public byte StructBits(int row) => _structs[row];

    /// <summary>The row's bytes of slices.</summary>
    public int RowBytes(int row) => _rowLen[row];

    /// <summary>Copies a row of another buffer to the end of this one; returns its bytes of slices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public int CopyRow(RowBuffer from, int row)
    {
        var bytes = from._rowLen[row];
        BeginRow(bytes);
        var fromOff = from._rowOff[row];
        from._chunks[from._rowChunk[row]].AsSpan(fromOff, bytes).CopyTo(_chunks[^1].AsSpan(_chunkUsed, bytes));
        // The slices keep their places within the row's range.
        var shift = _chunkUsed - fromOff;
        var b = row * DatasetColumns.Count;
        var d = Count * DatasetColumns.Count;
        var fromLen = from._len.AsSpan(b, DatasetColumns.Count);
        var fromOffs = from._off.AsSpan(b, DatasetColumns.Count);
        var len = _len.AsSpan(d, DatasetColumns.Count);
        var off = _off.AsSpan(d, DatasetColumns.Count);
        fromLen.CopyTo(len);
        for (var s = 0; s < off.Length; s++) off[s] = fromOffs[s] + shift;
        _chunkUsed += bytes;
        _time[Count] = from._time[row];
        Array.Copy(from._bools, row * DatasetColumns.BoolCount, _bools, Count * DatasetColumns.BoolCount, DatasetColumns.BoolCount);
        _record[Count] = from._record[row];
        _structs[Count] = from._structs[row];
        EndRow();
        return bytes;
    }

    private const int HeaderBytes = 8 + 8 + DatasetColumns.BoolCount + 1 + DatasetColumns.Count * 4;
    private const int LengthsAt = 16 + DatasetColumns.BoolCount + 1;

    /// <summary>Bytes <see cref="Serialize"/> writes for a row (spill format: time, record, bools, structs, lengths, slices).</summary>
    public int SerializedSize(int row) => HeaderBytes + RowBytes(row);

    public void Serialize(int row, Span<byte> dest)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(dest, _time[row]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(dest[8..], _record[row]);
        for (var k = 0; k < DatasetColumns.BoolCount; k++) dest[16 + k] = (byte)_bools[row * DatasetColumns.BoolCount + k];
        dest[16 + DatasetColumns.BoolCount] = _structs[row];
        var at = HeaderBytes;
        var b = row * DatasetColumns.Count;
        for (var s = 0; s < DatasetColumns.Count; s++)
        {
            var l = _len[b + s];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(dest[(LengthsAt + 4 * s)..], l);
            if (l > 0) { Get(row, s).CopyTo(dest[at..]); at += l; }
        }
    }

    /// <summary>Appends a row written by <see cref="Serialize"/>.</summary>
    public void AppendSerialized(ReadOnlySpan<byte> src)
    {
        BeginRow(src.Length - HeaderBytes);
        _time[Count] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(src);
        _record[Count] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(src[8..]);
        for (var k = 0; k < DatasetColumns.BoolCount; k++) _bools[Count * DatasetColumns.BoolCount + k] = (sbyte)src[16 + k];
        _structs[Count] = src[16 + DatasetColumns.BoolCount];
        var at = HeaderBytes;
        for (var s = 0; s < DatasetColumns.Count; s++)
        {
            var l = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(src[(LengthsAt + 4 * s)..]);
            if (l < 0) continue;
            Set(s, src.Slice(at, l));
            at += l;
        }
        EndRow();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    public void Clear()
    {
        Count = 0;
        foreach (var c in _chunks)
            if (c.Length == ChunkSize && FreeChunks.Count < MaxFreeChunks) FreeChunks.Add(c);
        _chunks.Clear();
        _arenaBytes = 0;
        _chunkUsed = ChunkSize;
        // Buffers filled and cleared over and over keep their index arrays (regrowing them each time was hundreds of MB
        // of large-object garbage per conversion); a partition's own buffer gives them back.
        if (!_bigChunks && _rowChunk.Length > 4096)
        {
            _rowChunk = new int[256]; _rowOff = new int[256]; _rowLen = new int[256]; _off = new int[256 * DatasetColumns.Count]; _len = new int[256 * DatasetColumns.Count];
            _time = new long[256]; _bools = new sbyte[256 * DatasetColumns.BoolCount]; _record = new long[256]; _structs = new byte[256];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private void EnsureRows(int rows)
    {
        if (rows <= _rowChunk.Length) return;
        var n = Math.Max(rows, _rowChunk.Length * 2);
        Array.Resize(ref _rowChunk, n);
        Array.Resize(ref _rowOff, n);
        Array.Resize(ref _rowLen, n);
        Array.Resize(ref _off, n * DatasetColumns.Count);
        Array.Resize(ref _len, n * DatasetColumns.Count);
        Array.Resize(ref _time, n);
        Array.Resize(ref _bools, n * DatasetColumns.BoolCount);
        Array.Resize(ref _record, n);
        Array.Resize(ref _structs, n);
    }
}
