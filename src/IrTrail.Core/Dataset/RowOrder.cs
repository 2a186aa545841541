namespace IrTrail.Core.Dataset;

/// <summary>The order rows are written in: by eventTime, unknown times first, equal times in input order.</summary>
internal static class RowOrder
{
    public static int[] ByTime(RowBuffer rows)
    {
        var order = new int[rows.Count];
        var keys = new long[rows.Count];
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
