using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using IrTrail.Core.Dataset;
using System.Runtime.CompilerServices;

namespace IrTrail.Core.Reading;

/// <summary>
/// Maps one record's raw bytes (from <see cref="JsonRecordScanner"/>) straight into dataset columns with a
/// Utf8JsonReader: no JsonDocument, no strings. Lossless by construction: a value goes to its typed column only when
/// the column can give it back exactly; anything else (unknown fields, nulls, a known field of an unexpected type, a
/// string boolean, an eventTime not in CloudTrail's canonical form, an irregular userIdentity) is also or instead kept
/// verbatim in <see cref="DatasetColumns.OtherFieldsName"/>, which wins when a record is rebuilt.
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
    internal static int KnownSlot(ReadOnlySpan<byte> s) =>
        s.Length < 7 ? 0 : (s.Length + s[5] * 5 + s[^1] * 3 + s[^2]) & KnownMask;

    /// <summary>The field a top-level name maps to, or -1.</summary>
    private static int FindKnown(ReadOnlySpan<byte> name)
    {
        var table = Known;
        for (var i = KnownSlot(name); ; i = (i + 1) & KnownMask)
        {
            var (n, f) = table[i];
            if (n is null) return -1;
            if (name.SequenceEqual(n)) return f;
        }
    }

    /// <summary>Outcome of mapping one record.</summary>
    public enum Result { Row, NotEvent }

    /// <summary>
    /// Appends the record as a row of <paramref name="rows"/>. With <paramref name="requireEventFields"/> a record with
    /// none of CloudTrail's identifying fields is not added (NotEvent). Throws JsonException on malformed JSON (the
    /// scanner has already validated it, so that does not happen for its records).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    public Result Map(ReadOnlySpan<byte> json, RowBuffer rows, ReadOnlySpan<byte> sourceFile, long recordIndex, bool requireEventFields)
    {
        rows.BeginRow(json.Length * 2 + sourceFile.Length + 16);
        _otherLen = 0;
        var marker = false;
        ulong seen = 0;
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var nameEnd = nameStart + reader.ValueSpan.Length + 2;
            var field = -1;
            var reserved = false;
            if (!reader.ValueIsEscaped) field = FindKnown(reader.ValueSpan);
            if (field < 0)
            {
                if (!marker && requireEventFields) marker = IsMarker(reader);
                reserved = IsReserved(reader);
            }
            if (field >= 0)
            {
                if ((seen & (1UL << field)) != 0) field = -1; // a repeated key: keep the later copy verbatim
                else seen |= 1UL << field;
            }
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
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
                        // A null that a NULL column gives back by itself (see DatasetColumns.NullWhenEmpty) is not kept.
                        if (reader.TokenType == JsonTokenType.Null) keepRaw = (NullWhenEmpty & 1UL << field) == 0;
                        else rows.Set(slot, json[valueStart..ValueEnd(ref reader, valueStart)]);
                    }
                    else if (reader.TokenType == JsonTokenType.String) SetString(ref reader, rows, slot);
                    else keepRaw = true;
                    break;
                case < TimeField:
                    var bslot = field - BoolBase;
                    if (reader.TokenType == JsonTokenType.True) rows.SetBool(bslot, true);
                    else if (reader.TokenType == JsonTokenType.False) rows.SetBool(bslot, false);
                    else
                    {
                        keepRaw = true;
                        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
                        {
                            // The data has "true"/"false" strings too: the column normalises, otherFields keeps the text.
                            if (reader.ValueSpan.SequenceEqual("true"u8)) rows.SetBool(bslot, true);
                            else if (reader.ValueSpan.SequenceEqual("false"u8)) rows.SetBool(bslot, false);
                        }
                    }
                    break;
                case TimeField:
                    marker = true;
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (!reader.ValueIsEscaped && TryParseCanonicalTime(reader.ValueSpan, out var ticks)) rows.SetTime(ticks);
                        else
                        {
                            keepRaw = true;
                            if (CloudTrailRecordParser.ParseTime(reader.GetString()) is { } t) rows.SetTime(TruncateToMicros(t.Ticks));
                        }
                    }
                    else keepRaw = true;
                    break;
                case IdentityField:
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        keepRaw = !MapObject(json, ref reader, rows, UserIdentitySet, 0, 0);
                        valueEnd = (int)reader.BytesConsumed; // the reader is past the object now
                    }
                    else keepRaw = true;
                    break;
            }
            if (keepRaw)
            {
                if (valueEnd < 0) valueEnd = ValueEnd(ref reader, valueStart);
                AppendOther(json[nameStart..nameEnd], json[valueStart..valueEnd], reserved);
            }
        }
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

    /// <summary>An input field named like IrTrail's own otherFields keys (see DatasetColumns.ReservedPrefix).</summary>
    private static bool IsReserved(Utf8JsonReader reader) =>
        reader.ValueIsEscaped
            ? reader.GetString()!.StartsWith(DatasetColumns.ReservedPrefix, StringComparison.Ordinal)
            : reader.ValueSpan.StartsWith(ReservedPrefix);

    /// <summary>Records which <see cref="DatasetColumns.NullWhenEmpty"/> fields the record did not have.</summary>
    private void AppendAbsent(ulong seen)
    {
        var names = new StringBuilder("[");
        foreach (var (name, bit) in NullWhenEmptyFields)
            if ((seen & bit) == 0) names.Append(names.Length > 1 ? ",\"" : "\"").Append(name).Append('"');
        names.Append(']');
        AppendOther(Encoding.UTF8.GetBytes($"\"{DatasetColumns.AbsentKey}\""), Encoding.UTF8.GetBytes(names.ToString()), false);
    }

    private static bool IsMarker(Utf8JsonReader reader)
    {
        if (reader.ValueSpan.Length > 16) return false;
        var name = reader.GetString()!;
        foreach (var m in Markers) if (string.Equals(name, m, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private const int UserIdentitySet = 0, SessionContextSet = 1, AttributesSet = 2, SessionIssuerSet = 3;

    private static readonly (string Name, int Slot, bool Json)[][] MemberSets =
        [DatasetColumns.UserIdentity, DatasetColumns.SessionContext, DatasetColumns.Attributes, DatasetColumns.SessionIssuer];

    /// <summary>The members' names in UTF-8, compared with the reader's raw bytes: comparing with a string transcodes it
    /// for every property of every userIdentity (about 1% of a conversion's CPU).</summary>
    private static readonly byte[][][] MemberNames =
        MemberSets.Select(set => set.Select(m => System.Text.Encoding.UTF8.GetBytes(m.Name)).ToArray()).ToArray();

    /// <summary>
    /// Maps a userIdentity (depth 0), sessionContext (1), attributes or sessionIssuer (2) object into struct slots; the
    /// last two are marked present (<paramref name="present"/>), so that an empty one comes back as {}. False when the
    /// object is irregular — an unknown or repeated key, a null, a value of another type, an empty userIdentity or
    /// sessionContext (their structs are always there) — so the caller keeps the original text too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private static bool MapObject(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, RowBuffer rows, int set, int depth, byte present)
    {
        var members = MemberSets[set];
        var names = MemberNames[set];
        rows.SetStructPresent(present);
        var regular = true;
        var any = false;
        uint seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            any = true;
            var index = -1;
            if (!reader.ValueIsEscaped)
            {
                var name = reader.ValueSpan;
                for (var i = 0; i < names.Length; i++)
                    if (name.SequenceEqual(names[i])) { index = i; break; }
            }
            var nested = 0;
            if (index < 0 && !reader.ValueIsEscaped)
            {
                if (depth == 0 && reader.ValueTextEquals("sessionContext"u8)) nested = 1;
                else if (depth == 1 && reader.ValueTextEquals("attributes"u8)) nested = 2;
                else if (depth == 1 && reader.ValueTextEquals("sessionIssuer"u8)) nested = 3;
            }
            var bit = index >= 0 ? index : 16 + nested;
            if (index >= 0 || nested > 0)
            {
                if ((seen & (1u << bit)) != 0) { regular = false; index = -1; nested = 0; }
                seen |= 1u << bit;
            }
            reader.Read();
            if (nested > 0 && reader.TokenType == JsonTokenType.StartObject)
            {
                var (sub, bitOf) = nested switch
                {
                    1 => (SessionContextSet, (byte)0),
                    2 => (AttributesSet, DatasetColumns.AttributesBit),
                    _ => (SessionIssuerSet, DatasetColumns.SessionIssuerBit),
                };
                regular &= MapObject(json, ref reader, rows, sub, depth + 1, bitOf);
                continue;
            }
            if (index >= 0)
            {
                var (_, slot, isJson) = members[index];
                if (isJson && reader.TokenType is not JsonTokenType.Null)
                {
                    var start = (int)reader.TokenStartIndex;
                    var end = ValueEnd(ref reader, start);
                    rows.Set(slot, json[start..end]);
                    continue;
                }
                if (!isJson && reader.TokenType == JsonTokenType.String)
                {
                    SetString(ref reader, rows, slot);
                    continue;
                }
            }
            regular = false;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
        }
        return regular && (any || present != 0);
    }

    private static int ValueEnd(ref Utf8JsonReader reader, int start)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                reader.Skip();
                return (int)reader.BytesConsumed;
            case JsonTokenType.String:
                return start + reader.ValueSpan.Length + 2;
            default:
                return start + reader.ValueSpan.Length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: optimised at once, not after tiering
    private static void SetString(ref Utf8JsonReader reader, RowBuffer rows, int slot)
    {
        if (!reader.ValueIsEscaped)
        {
            rows.Set(slot, reader.ValueSpan);
            return;
        }
        var space = rows.SliceSpace(reader.ValueSpan.Length);
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
