using System.Runtime.CompilerServices;

namespace IrTrail.Core.Dataset;

/// <summary>A UUID's 128 bits, high and low half: two ulongs, 8-byte aligned (a UInt128 is 16-byte aligned, and
/// padded structs around it).</summary>
internal readonly record struct Uuid(ulong Hi, ulong Lo);

/// <summary>
/// A set of UUIDs in one flat table: open addressing, linear probing, at most three quarters full. 16 bytes a slot
/// against a HashSet's 28 per entry (hash code, chain link, bucket) and no chain to follow. A partition keeps one for
/// its eventIDs while it is open, and five million events in one day are three partitions of a million each: the sets
/// were the largest part of that run's peak memory.
/// </summary>
internal sealed class UuidSet
{
    // The all-zero UUID marks an empty slot, so it is kept apart.
    private Uuid[] _slots = new Uuid[16];
    private bool _hasZero;

    public int Count { get; private set; }

    /// <summary>Memory held by the table.</summary>
    public long Bytes => (long)_slots.Length * 16;

    /// <summary>True when <paramref name="id"/> was not in the set (it is now).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: once per event converted
    public bool Add(Uuid id)
    {
        if (id.Hi == 0 && id.Lo == 0)
        {
            if (_hasZero) return false;
            _hasZero = true;
            Count++;
            return true;
        }
        if ((Count + 1) * 4L > _slots.Length * 3L) Grow();
        if (!Insert(_slots, id)) return false;
        Count++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Insert(Uuid[] slots, Uuid id)
    {
        var mask = slots.Length - 1;
        // Fibonacci hashing of both halves: eventIDs are random UUIDs, but other IDs may share most of their bits.
        var i = (int)((id.Hi ^ id.Lo * 0x9E3779B97F4A7C15UL) * 0x9E3779B97F4A7C15UL >> 32) & mask;
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.Hi == 0 && slot.Lo == 0)
            {
                slot = id;
                return true;
            }
            if (slot.Hi == id.Hi && slot.Lo == id.Lo) return false;
            i = (i + 1) & mask;
        }
    }

    private void Grow()
    {
        var bigger = new Uuid[_slots.Length * 2];
        foreach (var id in _slots)
            if (id.Hi != 0 || id.Lo != 0) Insert(bigger, id);
        _slots = bigger;
    }
}
