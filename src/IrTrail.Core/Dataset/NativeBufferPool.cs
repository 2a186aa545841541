using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Reusable native memory for the Arrow batches handed to the Parquet writer. Managed arrays of that size land on the
/// large object heap and, once the writer lets go of them, stay there as garbage until a full collection: hundreds of MB
/// in a conversion. A block here goes back to the pool the moment the writer releases the batch (the Arrow exporter pins
/// each buffer and unpins it on release), so memory follows the batches in flight. Everything is freed when the pool is
/// disposed, after the writers that might still refer to it have stopped.
/// </summary>
internal sealed unsafe class NativeBufferPool : IDisposable
{
    private const int MinShift = 16; // 64 KB
    private readonly ConcurrentBag<Block>[] _free = Enumerable.Range(0, 32).Select(_ => new ConcurrentBag<Block>()).ToArray();
    private readonly ConcurrentBag<Block> _all = [];
    private int _disposed;

    /// <summary>A block of at least <paramref name="length"/> bytes, its <see cref="Block.Memory"/> exactly that long.
    /// It returns to the pool when its last pin is released, so it must be pinned (exported) once it is handed out.</summary>
    public Block Rent(int length)
    {
        var shift = Math.Max(MinShift, 32 - BitOperations.LeadingZeroCount((uint)Math.Max(1, length - 1)));
        if (!_free[shift].TryTake(out var block))
        {
            block = new Block(this, shift, (byte*)NativeMemory.AlignedAlloc((nuint)1 << shift, 64));
            _all.Add(block);
        }
        block.Length = length;
        return block;
    }

    /// <summary>Blocks handed out and not yet released by whoever the batch went to.</summary>
    internal int InUse => _all.Count - _free.Sum(f => f.Count);

    private void Return(Block block)
    {
        if (Volatile.Read(ref _disposed) == 0) _free[block.Shift].Add(block);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var b in _all) b.Free();
    }

    public sealed class Block : MemoryManager<byte>
    {
        private readonly NativeBufferPool _pool;
        private byte* _ptr;
        private int _pins;

        internal Block(NativeBufferPool pool, int shift, byte* ptr)
        {
            _pool = pool;
            Shift = shift;
            _ptr = ptr;
        }

        internal int Shift { get; }
        internal int Length { get; set; }

        public override Span<byte> GetSpan() => new(_ptr, Length);

        /// <summary>The block's memory, for filling many columns in one pass; valid while the block is rented.</summary>
        internal byte* Pointer => _ptr;

        public override MemoryHandle Pin(int elementIndex = 0)
        {
            Interlocked.Increment(ref _pins);
            return new MemoryHandle(_ptr + elementIndex, default, this);
        }

        public override void Unpin()
        {
            if (Interlocked.Decrement(ref _pins) == 0) _pool.Return(this);
        }

        protected override void Dispose(bool disposing) { /* the pool owns the memory */ }

        internal void Free()
        {
            if (_ptr is null) return;
            NativeMemory.AlignedFree(_ptr);
            _ptr = null;
        }
    }
}
