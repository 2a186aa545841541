using System.Runtime.CompilerServices;
using System.Numerics;

namespace IrTrail.Core.Dataset;

/// <summary>The order rows are written in: by eventTime, unknown times first, equal times in input order.</summary>
internal static class RowOrder
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per batch, with loops: optimised at once, not after tiering
    public static int[] ByTime(RowBuffer rows)
    {
        var count = rows.Count;
        var order = new int[count];
        if (count == 0) return order;
        long min = long.MaxValue, max = long.MinValue;
        for (var i = 0; i < count; i++)
        {
            var t = rows.Time(i);
            if (t == RowBuffer.NoTime) continue;
            if (t < min) min = t;
            if (t > max) max = t;
        }
        // Usually one day of times and at most a row group of rows: time and row index then fit in one 63-bit key
        // (unknown times as 0, the others from 1), and one sort of plain numbers is already stable. A chunk's times
        // spanning years (the unknown-date partition, say) take the general way.
        var indexBits = 64 - BitOperations.LeadingZeroCount((ulong)count);
        var span = max >= min ? (ulong)(max - min) + 1 : 0;
        if (64 - BitOperations.LeadingZeroCount(span) + indexBits <= 63)
        {
            var keys = new long[count];
            for (var i = 0; i < count; i++)
            {
                var t = rows.Time(i);
                var rank = t == RowBuffer.NoTime ? 0 : t - min + 1;
                keys[i] = (rank << indexBits) | (long)i;
            }
            RadixSort(keys);
            var mask = (1L << indexBits) - 1;
            for (var i = 0; i < count; i++) order[i] = (int)(keys[i] & mask);
            return order;
        }
        return ByTimeAndIndex(rows, order);
    }

    /// <summary>Sorts non-negative keys, least significant 11 bits first (stable passes; a pass whose digit is the
    /// same in every key is skipped). Array.Sort of longs is generic framework code that ran unoptimised through much
    /// of a 1M conversion (a few hundred sorts of a few thousand keys); this is compiled optimised at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RadixSort(long[] keys)
    {
        var n = keys.Length;
        if (n < 64)
        {
            for (var i = 1; i < n; i++)
            {
                var k = keys[i];
                var j = i - 1;
                for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
                keys[j + 1] = k;
            }
            return;
        }
        const int Bits = 11, Buckets = 1 << Bits;
        long all = 0;
        foreach (var k in keys) all |= k;
        var counts = new int[Buckets];
        var src = keys;
        var dst = new long[n];
        for (var shift = 0; shift < 63 && (all >> shift) != 0; shift += Bits)
        {
            Array.Clear(counts);
            foreach (var k in src) counts[(int)(k >> shift) & (Buckets - 1)]++;
            if (counts[(int)(src[0] >> shift) & (Buckets - 1)] == n) continue;
            var sum = 0;
            for (var b = 0; b < Buckets; b++) { var c = counts[b]; counts[b] = sum; sum += c; }
            foreach (var k in src) dst[counts[(int)(k >> shift) & (Buckets - 1)]++] = k;
            (src, dst) = (dst, src);
        }
        if (!ReferenceEquals(src, keys)) Array.Copy(src, keys, n);
    }

    private static int[] ByTimeAndIndex(RowBuffer rows, int[] order)
    {
        var keys = new long[order.Length];
        for (var i = 0; i < order.Length; i++) { order[i] = i; keys[i] = rows.Time(i); }
        // Stable: equal times keep their input order, so the same input always gives the same file.
        Array.Sort(keys, order);
        StableFix(keys, order);
        return order;
    }

    private static void StableFix(long[] keys, int[] order)
    {
        // Array.Sort is not stable: within runs of equal keys, put original indices back in ascending order.
        var i = 0;
        while (i < keys.Length)
        {
            var j = i + 1;
            while (j < keys.Length && keys[j] == keys[i]) j++;
            if (j - i > 1) Array.Sort(order, i, j - i);
            i = j;
        }
    }
}
