using System.Collections;
using System.Collections.Specialized;
using System.Text.Json;

namespace IrTrail.Core.Model;

/// <summary>
/// A per-API JSON blob (requestParameters, responseElements, ...) kept exactly as received.
/// <see cref="Json"/> is the original text; the blob also acts as a read-only dictionary of its parsed members,
/// so PowerShell users can write <c>$e.RequestParameters.bucketName</c> while Export-Csv and string conversion
/// get the original JSON (ToString returns it). Parsing is lazy: most events are never looked into.
/// </summary>
public sealed class CloudTrailJson : IDictionary
{
    private OrderedDictionary? _members;
    private object? _value;
    private bool _parsed;

    public CloudTrailJson(string json) => Json = json;

    /// <summary>The JSON text exactly as it appeared in the source record.</summary>
    public string Json { get; }

    /// <summary>The parsed value: an ordered dictionary for objects, object?[] for arrays, or a scalar.</summary>
    public object? Value { get { EnsureParsed(); return _value; } }

    public override string ToString() => Json;

    private OrderedDictionary Members { get { EnsureParsed(); return _members!; } }

    private void EnsureParsed()
    {
        if (_parsed) return;
        using var doc = JsonDocument.Parse(Json);
        _value = JsonValueConverter.ToClr(doc.RootElement);
        _members = _value as OrderedDictionary ?? new OrderedDictionary(0);
        _parsed = true;
    }

    // Keys are case-sensitive (real data has both "tagging" and "Tagging"); a lookup that misses falls back to a
    // case-insensitive match so PowerShell's case-insensitive habits still work.
    public object? this[object key]
    {
        get
        {
            var m = Members;
            if (m.Contains(key)) return m[key];
            if (key is string s)
                foreach (DictionaryEntry e in m)
                    if (string.Equals((string)e.Key, s, StringComparison.OrdinalIgnoreCase)) return e.Value;
            return null;
        }
        set => throw new NotSupportedException("CloudTrail JSON blobs are read-only.");
    }

    public bool Contains(object key) => Members.Contains(key);
    public ICollection Keys => Members.Keys;
    public ICollection Values => Members.Values;
    public int Count => Members.Count;
    public bool IsFixedSize => true;
    public bool IsReadOnly => true;
    public bool IsSynchronized => false;
    public object SyncRoot => this;
    public IDictionaryEnumerator GetEnumerator() => Members.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => Members.GetEnumerator();
    public void CopyTo(Array array, int index) => Members.CopyTo(array, index);
    public void Add(object key, object? value) => throw new NotSupportedException("CloudTrail JSON blobs are read-only.");
    public void Clear() => throw new NotSupportedException("CloudTrail JSON blobs are read-only.");
    public void Remove(object key) => throw new NotSupportedException("CloudTrail JSON blobs are read-only.");
}

/// <summary>JsonElement → plain CLR values (ordered dictionaries, arrays, long/decimal/double, string, bool).</summary>
public static class JsonValueConverter
{
    public static object? ToClr(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var d = new OrderedDictionary(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                    d[p.Name] = ToClr(p.Value); // a repeated key keeps the last value, as JSON parsers do
                return d;
            case JsonValueKind.Array:
                var list = new object?[e.GetArrayLength()];
                var i = 0;
                foreach (var item in e.EnumerateArray()) list[i++] = ToClr(item);
                return list;
            case JsonValueKind.String: return e.GetString();
            case JsonValueKind.Number:
                if (e.TryGetInt64(out var l)) return l;
                var raw = e.GetRawText();
                // Keep "1.0" a floating value: int/float drift is meaningful in additionalEventData.
                if (raw.IndexOfAny(['e', 'E']) < 0 && e.TryGetDecimal(out var m)) return m;
                return e.GetDouble();
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            default: return null;
        }
    }
}
