using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace IrTrail.Core.Reading;

/// <summary>
/// A validating walk over one JSON record, for the converter's mapper: it finds the record's members and where each
/// value ends, and rejects what Utf8JsonReader (default options) rejects — bad tokens, numbers, escapes, control
/// characters in strings, trailing commas, comments, more than 64 levels — without making a token of every value
/// inside the JSON blobs. Utf8JsonReader spent most of its time on those, and its string search is a generic method
/// the runtime compiles late: over the first million events it ran unoptimised or instrumented for seconds. Like
/// Utf8JsonReader it does not check that string bytes are valid UTF-8.
/// Positions are byte offsets into the record; reading past its end finds a 0 byte, which no rule accepts.
/// </summary>
internal ref struct JsonWalker(ReadOnlySpan<byte> json)
{
    /// <summary>Utf8JsonReader's default maximum depth.</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _json = json;

    /// <summary>The current offset.</summary>
    public int Pos;

    /// <summary>The byte at <paramref name="at"/>, or 0 past the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly byte At(int at) => (uint)at < (uint)_json.Length ? _json[at] : (byte)0;

    /// <summary>The next byte that is not whitespace (Pos moves to it), or 0 at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Peek()
    {
        var c = At(Pos);
        while (c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t') c = At(++Pos);
        return c;
    }

    /// <summary>Consumes <paramref name="expected"/> after any whitespace.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public void Expect(byte expected)
    {
        if (Peek() != expected) throw Unexpected($"Expected '{(char)expected}'");
        Pos++;
    }

    /// <summary>After a member's value: consumes ',' and returns true when another member follows, or consumes '}' and
    /// returns false at the end of the object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: once per member of every record
    public bool NextMember()
    {
        var c = Peek();
        if (c == (byte)',')
        {
            Pos++;
            if (Peek() != (byte)'"') throw Peek() == (byte)'}' ? Fail("The JSON object contains a trailing comma at the end") : Unexpected("Expected a property name");
            return true;
        }
        if (c == (byte)'}') { Pos++; return false; }
        throw Unexpected("Expected either ',' or '}' after a value");
    }

    /// <summary>Just past a '{': true when the object has a first member (Pos at its name), false when it is empty
    /// (Pos past the '}').</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public bool FirstMember()
    {
        var c = Peek();
        if (c == (byte)'}') { Pos++; return false; }
        if (c != (byte)'"') throw Unexpected("Expected a property name or '}'");
        return true;
    }

    /// <summary>A member's name at Pos (a string) and the ':' after it; returns the name's token, quotes included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: once per member of every record
    public (int Start, int End, bool Escaped) Name()
    {
        if (Peek() != (byte)'"') throw Unexpected("Expected a property name");
        var start = Pos;
        var escaped = String();
        var end = Pos;
        Expect((byte)':');
        Peek();
        return (start, end, escaped);
    }

    /// <summary>Skips the value at Pos (after whitespace), nested <paramref name="depth"/> containers deep, validating
    /// it; returns its end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: the JSON blobs are most of a record's bytes
    public int SkipValue(int depth)
    {
        var c = Peek();
        if (c is not ((byte)'{' or (byte)'[')) { Scalar(c); return Pos; }
        // Containers without recursion: bit n of `objects` says whether level n (relative) is an object.
        ulong objects = 0;
        var level = 0;
        while (true)
        {
            // At an opening bracket.
            if (depth + level >= MaxDepth) throw Fail($"The maximum configured depth of {MaxDepth} has been exceeded");
            var isObject = c == (byte)'{';
            if (isObject) objects |= 1UL << level; else objects &= ~(1UL << level);
            level++;
            Pos++;
            c = Peek();
            var close = isObject ? (byte)'}' : (byte)']';
            if (c == close) { Pos++; goto Closed; }

            Member:
            if ((objects >> (level - 1) & 1) != 0)
            {
                if (c != (byte)'"') throw Unexpected("Expected a property name");
                String();
                Expect((byte)':');
                c = Peek();
            }
            if (c is (byte)'{' or (byte)'[') continue;
            Scalar(c);

            AfterValue:
            c = Peek();
            var inObject = (objects >> (level - 1) & 1) != 0;
            if (c == (byte)',')
            {
                Pos++;
                c = Peek();
                if (c == (inObject ? (byte)'}' : (byte)']'))
                    throw Fail($"The JSON {(inObject ? "object" : "array")} contains a trailing comma at the end");
                goto Member;
            }
            if (c != (inObject ? (byte)'}' : (byte)']')) throw Unexpected($"Expected either ',' or '{(inObject ? '}' : ']')}' after a value");
            Pos++;

            Closed:
            if (--level == 0) return Pos;
            goto AfterValue;
        }
    }

    /// <summary>A string, number or literal starting with <paramref name="c"/> at Pos.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private void Scalar(byte c)
    {
        switch (c)
        {
            case (byte)'"': String(); return;
            case (byte)'t': Literal("true"u8); return;
            case (byte)'f': Literal("false"u8); return;
            case (byte)'n': Literal("null"u8); return;
            case (byte)'-':
            case >= (byte)'0' and <= (byte)'9':
                Number();
                return;
            default:
                throw Unexpected("Expected the start of a value");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private void Literal(ReadOnlySpan<byte> literal)
    {
        if (!_json[Pos..].StartsWith(literal)) throw Fail($"Invalid JSON literal: expected '{System.Text.Encoding.ASCII.GetString(literal)}'");
        Pos += literal.Length;
    }

    /// <summary>RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?. What follows it is checked by the
    /// caller (a delimiter must).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private void Number()
    {
        if (At(Pos) == (byte)'-') Pos++;
        var c = At(Pos);
        if (c == (byte)'0')
        {
            Pos++;
            if (IsDigit(At(Pos))) throw Fail("Invalid leading zero in a number");
        }
        else if (IsDigit(c)) Digits();
        else throw Unexpected("Expected a digit in a number");
        if (At(Pos) == (byte)'.')
        {
            Pos++;
            if (!IsDigit(At(Pos))) throw Unexpected("Expected a digit after a decimal point");
            Digits();
        }
        if (At(Pos) is (byte)'e' or (byte)'E')
        {
            Pos++;
            if (At(Pos) is (byte)'+' or (byte)'-') Pos++;
            if (!IsDigit(At(Pos))) throw Unexpected("Expected a digit in an exponent");
            Digits();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Digits()
    {
        while (IsDigit(At(Pos))) Pos++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    /// <summary>A string at Pos (its opening quote): moves past the closing quote. True when it has escapes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: every string of every record
    public bool String()
    {
        var escaped = false;
        var i = Pos + 1;
        ref var start = ref MemoryMarshal.GetReference(_json);
        var length = _json.Length;
        while (true)
        {
            // The next quote, backslash or control character, 32 bytes at a time.
            if (Vector256.IsHardwareAccelerated)
            {
                var quote = Vector256.Create((byte)'"');
                var backslash = Vector256.Create((byte)'\\');
                var space = Vector256.Create((byte)0x20);
                while (i + 32 <= length)
                {
                    var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                    var mask = (Vector256.Equals(v, quote) | Vector256.Equals(v, backslash) | Vector256.LessThan(v, space))
                        .ExtractMostSignificantBits();
                    if (mask != 0) { i += BitOperations.TrailingZeroCount(mask); goto Found; }
                    i += 32;
                }
            }
            while (i < length)
            {
                var b = Unsafe.Add(ref start, i);
                if (b is (byte)'"' or (byte)'\\' || b < 0x20) goto Found;
                i++;
            }
            Pos = i;
            throw Fail("Expected the end of a string, but reached the end of the record");

            Found:
            var c = Unsafe.Add(ref start, i);
            if (c == (byte)'"') { Pos = i + 1; return escaped; }
            if (c != (byte)'\\') { Pos = i; throw Fail($"'0x{c:X2}' is invalid within a JSON string; it must be escaped"); }
            escaped = true;
            var e = At(i + 1);
            switch (e)
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i += 2;
                    break;
                case (byte)'u':
                    for (var k = 2; k < 6; k++)
                        if (!char.IsAsciiHexDigit((char)At(i + k))) { Pos = i + k; throw Fail("Invalid \\u escape: expected four hex digits"); }
                    i += 6;
                    break;
                default:
                    Pos = i + 1;
                    throw Fail($"'{(char)e}' is an invalid escapable character within a JSON string");
            }
        }
    }

    /// <summary>The whole record is one object: '{' members '}' and nothing after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public void ExpectEnd()
    {
        if (Peek() != 0 || Pos != _json.Length) throw Unexpected("Expected the end of the record after its closing '}'");
    }

    private readonly JsonException Unexpected(string what)
    {
        var c = At(Pos);
        return Fail(Pos >= _json.Length ? $"{what}, but reached the end of the record" : c is >= 0x20 and < 0x7F ? $"{what}, not '{(char)c}'" : $"{what}, not byte 0x{c:X2}");
    }

    private readonly JsonException Fail(string message) =>
        new($"{message} (byte {Pos:N0} of the record).", null, null, Pos);
}
