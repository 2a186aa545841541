using System.Globalization;

namespace IrTrail.Core.Sample;

/// <summary>
/// The generator's only source of randomness: System.Random with a seed (its seeded algorithm is fixed across .NET
/// versions), so the same seed and parameters give the same bytes. Ids that AWS makes random (eventID, requestID,
/// file-name suffixes, access keys) are drawn from it too; nothing uses Guid.NewGuid or the clock.
/// </summary>
public sealed class SampleRandom(int seed)
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private readonly Random _random = new(seed);

    public int Next(int maxExclusive) => _random.Next(maxExclusive);
    public int Next(int min, int maxExclusive) => _random.Next(min, maxExclusive);
    public double NextDouble() => _random.NextDouble();
    public bool Chance(double p) => _random.NextDouble() < p;
    public void NextBytes(Span<byte> buffer) => _random.NextBytes(buffer);
    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A UUID-formatted (version 4 layout) id, as CloudTrail's eventID.</summary>
    public string Uuid()
    {
        Span<byte> b = stackalloc byte[16];
        _random.NextBytes(b);
        b[7] = (byte)((b[7] & 0x0F) | 0x40); // Guid byte order: byte 7 holds the version nibble
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        return new Guid(b).ToString("D", CultureInfo.InvariantCulture);
    }

    /// <summary>An S3-style request id: 16 upper-case hex digits.</summary>
    public string HexUpper(int length)
    {
        Span<char> c = stackalloc char[length];
        for (var i = 0; i < length; i++) c[i] = "0123456789ABCDEF"[_random.Next(16)];
        return new string(c);
    }

    public string HexLower(int length)
    {
        Span<char> c = stackalloc char[length];
        for (var i = 0; i < length; i++) c[i] = "0123456789abcdef"[_random.Next(16)];
        return new string(c);
    }

    public string Alphanumeric(int length)
    {
        Span<char> c = stackalloc char[length];
        for (var i = 0; i < length; i++) c[i] = Alnum[_random.Next(Alnum.Length)];
        return new string(c);
    }

    /// <summary>An IAM-style unique id or access key: prefix (AKIA, ASIA, AIDA, AROA) + base32 upper case.</summary>
    public string IamId(string prefix, int length = 20)
    {
        Span<char> c = stackalloc char[length - prefix.Length];
        for (var i = 0; i < c.Length; i++) c[i] = Upper[_random.Next(Upper.Length)];
        return prefix + new string(c);
    }

    /// <summary>Index into a table of cumulative weights.</summary>
    public int Weighted(double[] cumulative)
    {
        var x = _random.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, x);
        if (i < 0) i = ~i;
        return Math.Min(i, cumulative.Length - 1);
    }

    public static double[] Cumulative(IEnumerable<double> weights)
    {
        var list = new List<double>();
        double sum = 0;
        foreach (var w in weights) list.Add(sum += w);
        return [.. list];
    }
}
