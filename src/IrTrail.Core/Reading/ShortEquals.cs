using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IrTrail.Core.Reading;

/// <summary>
/// Compares a short value (a field name, a region, an account ID) with another. The runtime's SequenceEqual is a call
/// per comparison, several per event, and precompiled framework code that the runtime re-instruments once it is hot:
/// in a million-event conversion, 3.5% of the CPU went to it and the profiling helpers it called, mostly while the
/// background compiler had yet to reach it. Up to 32 bytes are compared here with at most two overlapping loads.
/// </summary>
internal static class ShortEquals
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Equal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var length = a.Length;
        if (length != b.Length) return false;
        if (length > 32) return a.SequenceEqual(b);
        ref var x = ref MemoryMarshal.GetReference(a);
        ref var y = ref MemoryMarshal.GetReference(b);
        if (length >= 16)
            return Vector128.LoadUnsafe(ref x) == Vector128.LoadUnsafe(ref y) &&
                Vector128.LoadUnsafe(ref x, (nuint)(length - 16)) == Vector128.LoadUnsafe(ref y, (nuint)(length - 16));
        if (length >= 8)
            return Unsafe.ReadUnaligned<ulong>(ref x) == Unsafe.ReadUnaligned<ulong>(ref y) &&
                Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref x, length - 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref y, length - 8));
        if (length >= 4)
            return Unsafe.ReadUnaligned<uint>(ref x) == Unsafe.ReadUnaligned<uint>(ref y) &&
                Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref x, length - 4)) == Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref y, length - 4));
        for (var i = 0; i < length; i++)
            if (Unsafe.Add(ref x, i) != Unsafe.Add(ref y, i)) return false;
        return true;
    }
}
