using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using IrTrail.Core.Dataset;
using System.Runtime.CompilerServices;

namespace IrTrail.Core.Reading;

/// <summary>
/// Maps one record's raw bytes (from <see cref="JsonRecordScanner"/>) straight into dataset columns with a validating
/// <see cref="JsonWalker"/>: no JsonDocument, no strings, no token per value inside the JSON blobs. Lossless by
/// construction: a value goes to its typed column only when the column can give it back exactly; anything else
/// (unknown fields, nulls, a known field of an unexpected type, a string boolean, an eventTime not in CloudTrail's
/// canonical form, an irregular userIdentity) is also or instead kept verbatim in
/// <see cref="DatasetColumns.OtherFieldsName"/>, which wins when a record is rebuilt.
/// One instance per thread (it owns a scratch buffer).
/// </summary>
public sealed class CloudTrailColumnMapper
{
    private const int TimeField = 29, IdentityField = 30, BoolBase = 26;
    private static readonly (byte[]? Name, int Field)[] Known = BuildKnown();
    private static readonly string[] Markers = ["eventversion", "eventtime", "eventname", "eventsource", "eventid"];
    /// <summary>Fields (bits of <c>seen</c>) whose null is implied by a NULL column (see DatasetColumns.NullWhenEmpty).</summary>
    private static readonly (string Name, ulong Bit)[] NullWhenEmptyFields = DatasetColumns.NullWhenEmpty
        .Select(n => (n, 1UL << Array.FindIndex(DatasetColumns.TopLevel, c => c.Name == n))).ToArray();
    private static readonly ulong NullWhenEmpty = NullWhenEmptyFields.Aggregate(0UL, (m, f) => m | f.Bit);
    private static readonly byte[] ReservedPrefix = Encoding.UTF8.GetBytes(DatasetColumns.ReservedPrefix);
    private byte[] _other = new byte[4096];
    private int _otherLen;

    // The known top-level names in an open-addressed table keyed by length and three of their bytes: a field name is
    // looked up about 25 times per record, and hashing every byte into a Dictionary cost 3-4% of a conversion's CPU.
    private const int KnownMask = 255;

    private static (byte[]?, int)[] BuildKnown()
    {
        var table = new (byte[]?, int)[KnownMask + 1];
        void Add(string n, int f)
        {
            var b = Encoding.UTF8.GetBytes(n);
            var i = KnownSlot(b);
            while (table[i].Item1 is not null) i = (i + 1) & KnownMask;
            table[i] = (b, f);
        }
        for (var i = 0; i < DatasetColumns.TopLevel.Length; i++) Add(DatasetColumns.TopLevel[i].Name, i);
        for (var i = 0; i < DatasetColumns.TopLevelBools.Length; i++) Add(DatasetColumns.TopLevelBools[i].Name, BoolBase + i);
        Add("eventTime", TimeField);
        Add("userIdentity", IdentityField);
        return table;
    }

    // Length, the byte after "event" and the last two: each known name gets a slot of its own (eventName, eventType
    // and eventTime differ in none of length, first, last and middle byte). Names shorter than any known one probe
    // from slot 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int KnownSlot(ReadOnlySpan<byte> s) =>
        s.Length < 7 ? 0 : (s.Length + s[5] * 5 + s[^1] * 3 + s[^2]) & KnownMask;

    /// <summary>The field a top-level name maps to, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private static int FindKnown(ReadOnlySpan<byte> name)
    {
        var table = Known;
        for (var i = KnownSlot(name); ; i = (i + 1) & KnownMask)
        {
            var (n, f) = table[i];
            if (n is null) return -1;
            if (ShortEquals.Equal(name, n)) return f;
        }
    }

    /// <summary>Outcome of mapping one record.</summary>
    public enum Result { Row, NotEvent }

    /// <summary>
    /// Appends the record as a row of <paramref name="rows"/>. With <paramref name="requireEventFields"/> a record with
    /// none of CloudTrail's identifying fields is not added (NotEvent). The record is validated as it is mapped
    /// (<see cref="JsonWalker"/>): malformed JSON throws JsonException, with the row left unfinished.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public Result Map(ReadOnlySpan<byte> json, RowBuffer rows, ReadOnlySpan<byte> sourceFile, long recordIndex, bool requireEventFields)
    {
        rows.BeginRow(json.Length * 2 + sourceFile.Length + 16);
        _otherLen = 0;
        var marker = false;
        ulong seen = 0;
        var w = new JsonWalker(json);
        w.Expect((byte)'{');
        var more = w.FirstMember();
        while (more)
        {
            var (nameStart, nameEnd, nameEscaped) = w.Name();
            var name = json[(nameStart + 1)..(nameEnd - 1)];
            var field = -1;
            var reserved = false;
            if (!nameEscaped) field = FindKnown(name);
            if (field < 0)
            {
                if (!marker && requireEventFields) marker = IsMarker(json[nameStart..nameEnd], nameEscaped);
                reserved = IsReserved(json[nameStart..nameEnd], nameEscaped);
            }
            if (field >= 0)
            {
                if ((seen & (1UL << field)) != 0) field = -1; // a repeated key: keep the later copy verbatim
                else seen |= 1UL << field;
            }
            var valueStart = w.Pos;
            var first = w.Peek();
            var keepRaw = false;
            var valueEnd = -1;
            switch (field)
            {
                case < 0:
                    keepRaw = true;
                    break;
                case < BoolBase:
                    var (_, slot, isJson) = DatasetColumns.TopLevel[field];
                    if (slot is DatasetColumns.EventVersion or DatasetColumns.EventName or DatasetColumns.EventSource or DatasetColumns.EventID) marker = true;
                    if (isJson)
                    {
                        valueEnd = w.SkipValue(1);
                        // A null that a NULL column gives back by itself (see DatasetColumns.NullWhenEmpty) is not kept.
                        if (first == (byte)'n') keepRaw = (NullWhenEmpty & 1UL << field) == 0;
                        else rows.Set(slot, json[valueStart..valueEnd]);
                    }
                    else if (first == (byte)'"')
                    {
                        var escaped = w.String();
                        valueEnd = w.Pos;
                        SetString(json[valueStart..valueEnd], escaped, rows, slot);
                    }
                    else keepRaw = true;
                    break;
                case < TimeField:
                    var bslot = field - BoolBase;
                    valueEnd = w.SkipValue(1);
                    var value = json[valueStart..valueEnd];
                    if (ShortEquals.Equal(value, "true"u8)) rows.SetBool(bslot, true);
                    else if (ShortEquals.Equal(value, "false"u8)) rows.SetBool(bslot, false);
                    else
                    {
                        keepRaw = true;
                        // The data has "true"/"false" strings too: the column normalises, otherFields keeps the text.
                        if (ShortEquals.Equal(value, "\"true\""u8)) rows.SetBool(bslot, true);
                        else if (ShortEquals.Equal(value, "\"false\""u8)) rows.SetBool(bslot, false);
                    }
                    break;
                case TimeField:
                    marker = true;
                    valueEnd = w.SkipValue(1);
                    keepRaw = true;
                    if (first == (byte)'"')
                    {
                        var text = json[(valueStart + 1)..(valueEnd - 1)];
                        if (TryParseCanonicalTime(text, out var ticks)) { rows.SetTime(ticks); keepRaw = false; }
                        else if (CloudTrailRecordParser.ParseTime(Unescape(json[valueStart..valueEnd])) is { } t) rows.SetTime(TruncateToMicros(t.Ticks));
                    }
                    break;
                case IdentityField:
                    if (first == (byte)'{')
                    {
                        keepRaw = !MapObject(json, ref w, rows, UserIdentitySet, 1, 0);
                        valueEnd = w.Pos; // the walker is past the object now
                    }
                    else keepRaw = true;
                    break;
            }
            if (keepRaw)
            {
                if (valueEnd < 0) valueEnd = w.SkipValue(1);
                AppendOther(json[nameStart..nameEnd], json[valueStart..valueEnd], reserved);
            }
            more = w.NextMember();
        }
        w.ExpectEnd();
        if (requireEventFields && !marker)
        {
            rows.AbandonRow();
            return Result.NotEvent;
        }
        if ((seen & NullWhenEmpty) != NullWhenEmpty) AppendAbsent(seen);
        if (_otherLen > 0)
        {
            var span = rows.SliceSpace(_otherLen + 2);
            span[0] = (byte)'{';
            _other.AsSpan(0, _otherLen).CopyTo(span[1..]);
            span[_otherLen + 1] = (byte)'}';
            rows.CommitSlice(DatasetColumns.OtherFields, _otherLen + 2);
        }
        rows.Set(DatasetColumns.SourceFile, sourceFile);
        rows.SetRecordIndex(recordIndex);
        rows.EndRow();
        return Result.Row;
    }

    /// <summary>A JSON string token (quotes included) as .NET text, escapes decoded. For the rare escaped names and
    /// values only, so Utf8JsonReader decodes them exactly as it always has.</summary>
    private static string Unescape(ReadOnlySpan<byte> token)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>An input field named like IrTrail's own otherFields keys (see DatasetColumns.ReservedPrefix); the name
    /// is its token, quotes included.</summary>
    private static bool IsReserved(ReadOnlySpan<byte> name, bool escaped) =>
        escaped
            ? Unescape(name).StartsWith(DatasetColumns.ReservedPrefix, StringComparison.Ordinal)
            : name[1..^1].StartsWith(ReservedPrefix);

    /// <summary>Records which <see cref="DatasetColumns.NullWhenEmpty"/> fields the record did not have.</summary>
    private void AppendAbsent(ulong seen)
    {
        var names = new StringBuilder("[");
        foreach (var (name, bit) in NullWhenEmptyFields)
            if ((seen & bit) == 0) names.Append(names.Length > 1 ? ",\"" : "\"").Append(name).Append('"');
        names.Append(']');
        AppendOther(Encoding.UTF8.GetBytes($"\"{DatasetColumns.AbsentKey}\""), Encoding.UTF8.GetBytes(names.ToString()), false);
    }

    /// <summary>One of CloudTrail's identifying names in any case; the name is its token, quotes included.</summary>
    private static bool IsMarker(ReadOnlySpan<byte> name, bool escaped)
    {
        if (name.Length - 2 > 16) return false;
        var text = escaped ? Unescape(name) : Encoding.UTF8.GetString(name[1..^1]);
        foreach (var m in Markers) if (string.Equals(text, m, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private const int UserIdentitySet = 0, SessionContextSet = 1, AttributesSet = 2, SessionIssuerSet = 3;

    private static readonly (string Name, int Slot, bool Json)[][] MemberSets =
        [DatasetColumns.UserIdentity, DatasetColumns.SessionContext, DatasetColumns.Attributes, DatasetColumns.SessionIssuer];

    /// <summary>The members' names in UTF-8, compared with the record's raw bytes: comparing with a string transcodes it
    /// for every property of every userIdentity (about 1% of a conversion's CPU).</summary>
    private static readonly byte[][][] MemberNames =
        MemberSets.Select(set => set.Select(m => System.Text.Encoding.UTF8.GetBytes(m.Name)).ToArray()).ToArray();

    /// <summary>
    /// Maps a userIdentity (set 0), sessionContext (1), attributes or sessionIssuer (2, 3) object at the walker's
    /// position, inside <paramref name="depth"/> containers, into struct slots; the last two are marked present
    /// (<paramref name="present"/>), so that an empty one comes back as {}. False when the object is irregular — an
    /// unknown or repeated key, a null, a value of another type, an empty userIdentity or sessionContext (their structs
    /// are always there) — so the caller keeps the original text too. The walker ends past the object.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private static bool MapObject(ReadOnlySpan<byte> json, ref JsonWalker w, RowBuffer rows, int set, int depth, byte present)
    {
        var members = MemberSets[set];
        var names = MemberNames[set];
        rows.SetStructPresent(present);
        var regular = true;
        var any = false;
        uint seen = 0;
        w.Expect((byte)'{');
        var more = w.FirstMember();
        while (more)
        {
            any = true;
            var (nameStart, nameEnd, escaped) = w.Name();
            var index = -1;
            var nested = 0;
            if (!escaped)
            {
                var name = json[(nameStart + 1)..(nameEnd - 1)];
                for (var i = 0; i < names.Length; i++)
                    if (ShortEquals.Equal(name, names[i])) { index = i; break; }
                if (index < 0)
                {
                    if (set == UserIdentitySet && ShortEquals.Equal(name, "sessionContext"u8)) nested = 1;
                    else if (set == SessionContextSet && ShortEquals.Equal(name, "attributes"u8)) nested = 2;
                    else if (set == SessionContextSet && ShortEquals.Equal(name, "sessionIssuer"u8)) nested = 3;
                }
            }
            var bit = index >= 0 ? index : 16 + nested;
            if (index >= 0 || nested > 0)
            {
                if ((seen & (1u << bit)) != 0) { regular = false; index = -1; nested = 0; }
                seen |= 1u << bit;
            }
            var start = w.Pos;
            var first = w.Peek();
            if (nested > 0 && first == (byte)'{')
            {
                var (sub, bitOf) = nested switch
                {
                    1 => (SessionContextSet, (byte)0),
                    2 => (AttributesSet, DatasetColumns.AttributesBit),
                    _ => (SessionIssuerSet, DatasetColumns.SessionIssuerBit),
                };
                regular &= MapObject(json, ref w, rows, sub, depth + 1, bitOf);
            }
            else if (index >= 0 && members[index].Json && first != (byte)'n')
                rows.Set(members[index].Slot, json[start..w.SkipValue(depth + 1)]);
            else if (index >= 0 && !members[index].Json && first == (byte)'"')
            {
                var valueEscaped = w.String();
                SetString(json[start..w.Pos], valueEscaped, rows, members[index].Slot);
            }
            else
            {
                regular = false;
                w.SkipValue(depth + 1);
            }
            more = w.NextMember();
        }
        return regular && (any || present != 0);
    }

    /// <summary>A string value (its token, quotes included) into a text slot, escapes decoded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private static void SetString(ReadOnlySpan<byte> token, bool escaped, RowBuffer rows, int slot)
    {
        if (!escaped)
        {
            rows.Set(slot, token[1..^1]);
            return;
        }
        var reader = new Utf8JsonReader(token);
        reader.Read();
        var space = rows.SliceSpace(token.Length);
        var n = reader.CopyString(space);
        rows.CommitSlice(slot, n);
    }

    /// <summary>Adds <c>name:value</c> to the record's otherFields; a <paramref name="reserved"/> name (a quoted JSON
    /// string) gets the reserved prefix once more after its opening quote.</summary>
    private void AppendOther(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool reserved)
    {
        var extra = reserved ? ReservedPrefix.Length : 0;
        var need = _otherLen + name.Length + extra + value.Length + 2;
        if (need > _other.Length) Array.Resize(ref _other, Math.Max(need, _other.Length * 2));
        if (_otherLen > 0) _other[_otherLen++] = (byte)',';
        if (reserved)
        {
            _other[_otherLen++] = (byte)'"';
            ReservedPrefix.CopyTo(_other.AsSpan(_otherLen));
            _otherLen += ReservedPrefix.Length;
            name = name[1..];
        }
        name.CopyTo(_other.AsSpan(_otherLen));
        _otherLen += name.Length;
        _other[_otherLen++] = (byte)':';
        value.CopyTo(_other.AsSpan(_otherLen));
        _otherLen += value.Length;
    }

    private static long TruncateToMicros(long ticks) => ticks - ticks % 10;

    /// <summary>CloudTrail's own form, <c>yyyy-MM-ddTHH:mm:ssZ</c>, parsed without allocating.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public static bool TryParseCanonicalTime(ReadOnlySpan<byte> s, out long ticks)
    {
        ticks = 0;
        if (s.Length != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return false;
        if (!D(s, 0, 4, out var y) || !D(s, 5, 2, out var mo) || !D(s, 8, 2, out var d) || !D(s, 11, 2, out var h) ||
            !D(s, 14, 2, out var mi) || !D(s, 17, 2, out var sec)) return false;
        if (y < 1 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59) return false;
        ticks = new DateTime(y, mo, d, h, mi, sec, DateTimeKind.Utc).Ticks;
        return true;

        static bool D(ReadOnlySpan<byte> s, int at, int n, out int v)
        {
            v = 0;
            for (var i = at; i < at + n; i++)
            {
                var c = s[i] - '0';
                if ((uint)c > 9) return false;
                v = v * 10 + c;
            }
            return true;
        }
    }
}
