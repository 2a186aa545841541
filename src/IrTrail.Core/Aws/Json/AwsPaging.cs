using System.Runtime.CompilerServices;

namespace IrTrail.Core.Aws.Json;

/// <summary>
/// NextToken paging: calls an operation again with each page's token until a page has none. The request object is
/// reused (its token member is set for each next call), as the AWS SDKs' paginators do. A service that returns the
/// same token twice would loop forever: that is an error. Generated clients expose this per paginated operation as
/// <c>&lt;Operation&gt;PagesAsync</c> / <c>&lt;Operation&gt;ItemsAsync</c>.
/// </summary>
internal static class AwsPaging
{
    public static async IAsyncEnumerable<TResponse> PagesAsync<TRequest, TResponse>(
        Func<TRequest, CancellationToken, Task<TResponse>> call, TRequest request, Func<TResponse, string?> nextToken,
        Action<TRequest, string?> setToken, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await call(request, cancellationToken).ConfigureAwait(false);
            yield return page;
            var next = nextToken(page);
            if (string.IsNullOrEmpty(next)) yield break;
            if (!seen.Add(next))
                throw new AwsException(AwsErrorKind.Service, $"Paging {typeof(TRequest).Name} stopped: the service returned the same page token twice.");
            setToken(request, next);
        }
    }

    /// <summary>The items of every page, in order.</summary>
    public static async IAsyncEnumerable<TItem> ItemsAsync<TResponse, TItem>(
        IAsyncEnumerable<TResponse> pages, Func<TResponse, IEnumerable<TItem>?> items)
    {
        await foreach (var page in pages.ConfigureAwait(false))
        {
            foreach (var item in items(page) ?? []) yield return item;
        }
    }
}
