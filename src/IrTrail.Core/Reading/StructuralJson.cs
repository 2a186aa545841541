using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IrTrail.Core.Reading;

/// <summary>
/// Finds where a JSON object ends without tokenising it: only quotes, backslashes and braces are looked at, 32 bytes at
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
            for (; i + 32 <= json.Length; i += 32)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                var mask = (Vector256.Equals(v, quote) | Vector256.Equals(v, backslash) |
                            Vector256.Equals(v, open) | Vector256.Equals(v, close)).ExtractMostSignificantBits();
                if (skipFirst) { mask &= ~1u; skipFirst = false; }
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
                            if (bit == 31) skipFirst = true;
                            else mask &= ~(1u << (bit + 1));
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
}
