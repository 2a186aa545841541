using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IrTrail.Core.Reading;

/// <summary>
/// Finds where a JSON object ends without tokenising it: only quotes, backslashes and braces are looked at, 64 bytes at
/// a time. Nothing is validated; it is for callers that validate the object fully afterwards anyway (the converter's
/// mapper, with <see cref="JsonWalker"/>), so each record is validated once instead of twice. On malformed input it
/// returns some boundary, and the caller's own validation reports the fault.
/// </summary>
internal static class StructuralJson
{
    /// <summary>The length of the object that starts at <paramref name="json"/>[0] (a '{'), through its closing brace;
    /// -1 when the span ends first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public static int ObjectLength(ReadOnlySpan<byte> json)
    {
        var depth = 0;
        var inString = false;
        var i = 0;
        ref var start = ref MemoryMarshal.GetReference(json);
        if (Vector256.IsHardwareAccelerated)
        {
            var quote = Vector256.Create((byte)'"');
            var backslash = Vector256.Create((byte)'\\');
            var open = Vector256.Create((byte)'{');
            var close = Vector256.Create((byte)'}');
            var skipFirst = false; // the block's first byte is escaped by a backslash that ended the previous block
            for (; i + 64 <= json.Length; i += 64)
            {
                var lo = Vector256.LoadUnsafe(ref start, (nuint)i);
                var hi = Vector256.LoadUnsafe(ref start, (nuint)(i + 32));
                var quotes = Mask(lo, hi, quote);
                var backslashes = Mask(lo, hi, backslash);
                var opens = Mask(lo, hi, open);
                var closes = Mask(lo, hi, close);
                if (backslashes == 0 && !skipFirst)
                {
                    // No escapes: a byte is inside a string when an odd number of quotes precede it in the block (the
                    // prefix XOR of the quote bits), flipped when the block starts inside one. Only braces outside
                    // strings are walked, one by one: a record has a handful, against dozens of quotes.
                    var inside = PrefixXor(quotes);
                    if (inString) inside = ~inside;
                    inString = (long)inside < 0;
                    var braces = (opens | closes) & ~inside;
                    while (braces != 0)
                    {
                        var bit = BitOperations.TrailingZeroCount(braces);
                        braces &= braces - 1;
                        if ((opens >> bit & 1) != 0) depth++;
                        else if (--depth == 0) return i + bit + 1;
                    }
                    continue;
                }
                // Escapes in the block: every quote, backslash and brace in order, as a scalar scan would.
                var mask = quotes | backslashes | opens | closes;
                if (skipFirst) { mask &= ~1UL; skipFirst = false; }
                while (mask != 0)
                {
                    var bit = BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                    var c = Unsafe.Add(ref start, i + bit);
                    if (inString)
                    {
                        if (c == (byte)'"') inString = false;
                        else if (c == (byte)'\\')
                        {
                            // The next byte is escaped, whatever it is.
                            if (bit == 63) skipFirst = true;
                            else mask &= ~(1UL << (bit + 1));
                        }
                    }
                    else if (c == (byte)'"') inString = true;
                    else if (c == (byte)'{') depth++;
                    else if (c == (byte)'}' && --depth == 0) return i + bit + 1;
                }
            }
            if (skipFirst) i++;
        }
        for (; i < json.Length; i++)
        {
            var c = Unsafe.Add(ref start, i);
            if (inString)
            {
                if (c == (byte)'"') inString = false;
                else if (c == (byte)'\\') i++;
            }
            else if (c == (byte)'"') inString = true;
            else if (c == (byte)'{') depth++;
            else if (c == (byte)'}' && --depth == 0) return i + 1;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(Vector256<byte> lo, Vector256<byte> hi, Vector256<byte> c) =>
        Vector256.Equals(lo, c).ExtractMostSignificantBits() | (ulong)Vector256.Equals(hi, c).ExtractMostSignificantBits() << 32;

    /// <summary>Bit i of the result is the XOR of bits 0..i of <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong PrefixXor(ulong x)
    {
        x ^= x << 1;
        x ^= x << 2;
        x ^= x << 4;
        x ^= x << 8;
        x ^= x << 16;
        x ^= x << 32;
        return x;
    }
}
