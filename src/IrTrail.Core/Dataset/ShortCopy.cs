using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Copies a value into a row buffer or an Arrow column. Most values are a few bytes to a few dozen (names, regions,
/// account IDs, addresses), and each went through a call to the runtime's Memmove: about 40 per event, twice, 4-7% of
/// a conversion's CPU. Up to 32 bytes are copied here with at most two overlapping loads and stores.
/// </summary>
internal static class ShortCopy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var length = source.Length;
        if (length > 32 || length > destination.Length)
        {
            source.CopyTo(destination); // long values, and the exception for a destination too short
            return;
        }
        ref var s = ref MemoryMarshal.GetReference(source);
        ref var d = ref MemoryMarshal.GetReference(destination);
        if (length >= 16)
        {
            Vector128.LoadUnsafe(ref s).StoreUnsafe(ref d);
            Vector128.LoadUnsafe(ref s, (nuint)(length - 16)).StoreUnsafe(ref d, (nuint)(length - 16));
        }
        else if (length >= 8)
        {
            Unsafe.WriteUnaligned(ref d, Unsafe.ReadUnaligned<ulong>(ref s));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, length - 8), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref s, length - 8)));
        }
        else if (length >= 4)
        {
            Unsafe.WriteUnaligned(ref d, Unsafe.ReadUnaligned<uint>(ref s));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, length - 4), Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref s, length - 4)));
        }
        else if (length > 0)
        {
            d = s;
            Unsafe.Add(ref d, length - 1) = Unsafe.Add(ref s, length - 1);
            if (length == 3) Unsafe.Add(ref d, 1) = Unsafe.Add(ref s, 1);
        }
    }
}
