using Xunit;
using System.Runtime.CompilerServices;
using IrTrail.Core.Aws;

namespace IrTrail.Tests.Engine;

/// <summary>The listing planner against an in-memory key space that records every listing request.</summary>
public sealed class LogFileFinderTests
{
    private sealed class MemoryStore(IEnumerable<string> keys) : ILogStore
    {
        private readonly List<string> _keys = keys.Order(StringComparer.Ordinal).ToList();
        public readonly List<string> FolderListings = [];
        public readonly List<string> ObjectListings = [];

        public Task<IReadOnlyList<string>> ListFoldersAsync(string prefix, CancellationToken ct)
        {
            FolderListings.Add(prefix);
            IReadOnlyList<string> r = _keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Select(k => k[prefix.Length..]).Where(rest => rest.Contains('/'))
                .Select(rest => prefix + rest[..(rest.IndexOf('/') + 1)]).Distinct().Order(StringComparer.Ordinal).ToList();
            return Task.FromResult(r);
        }

        public async IAsyncEnumerable<StoreObject> ListObjectsAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
        {
            ObjectListings.Add(prefix);
            foreach (var k in _keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))) yield return new StoreObject(k, 1, null, null);
            await Task.CompletedTask;
        }

        public string UriOf(string key) => "mem://" + key;
    }

    private static readonly DateTime Day = new(2021, 7, 30, 0, 0, 0, DateTimeKind.Utc);

    private static MemoryStore Sample(string prefix = "")
    {
        var keys = new List<string>();
        foreach (var acct in new[] { "111111111111", "222222222222" })
        foreach (var region in new[] { "us-east-1", "us-west-1" })
        for (var d = -2; d <= 2; d++)
        {
            keys.Add(CloudTrailFixtures.Key(acct, region, Day.AddDays(d), prefix: prefix));
            keys.Add(CloudTrailFixtures.Key(acct, region, Day.AddDays(d), "CloudTrail-Digest", prefix: prefix));
        }
        keys.Add(prefix + "AWSLogs/111111111111/Config/us-east-1/2021/07/30/c.json.gz");
        return new MemoryStore(keys);
    }

    private static async Task<List<LogFile>> Find(ILogStore store, LogFileQuery q) =>
        await LogFileFinder.FindAsync(store, q, "b", null, CancellationToken.None).ToListAsync();

    [Fact]
    public async Task OneDayOneRegionListsOnlyThatDaysPrefixes()
    {
        var store = Sample();
        var files = await Find(store, new LogFileQuery { Regions = ["us-west-1"], StartTime = Day, EndTime = Day.AddHours(23.99) });
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.Equal(("us-west-1", Day, LogFileKind.Log), (f.Region!, f.Date!.Value, f.Kind)));
        Assert.Equal(["111111111111", "222222222222"], files.Select(f => f.Account!));
        Assert.Equal(["AWSLogs/111111111111/CloudTrail/us-west-1/2021/07/30/", "AWSLogs/222222222222/CloudTrail/us-west-1/2021/07/30/"], store.ObjectListings);
        Assert.Equal(["AWSLogs/"], store.FolderListings); // found AWSLogs/ and its accounts in one listing; nothing else listed
    }

    [Fact]
    public async Task NamedAccountAndRegionNeedNoDiscoveryBelowAwsLogs()
    {
        var store = Sample();
        var files = await Find(store, new LogFileQuery { Prefix = "AWSLogs/", Accounts = ["222222222222"], Regions = ["us-east-1"], StartTime = Day, EndTime = Day.AddDays(1) });
        Assert.Equal(2, files.Count);
        Assert.Equal(["AWSLogs/"], store.FolderListings);
        Assert.Equal(2, store.ObjectListings.Count);
    }

    [Fact]
    public async Task DigestsAreExcludedByDefaultAndIncludedOnRequest()
    {
        Assert.DoesNotContain(await Find(Sample(), new LogFileQuery()), f => f.Kind != LogFileKind.Log);
        var digests = await Find(Sample(), new LogFileQuery { Kinds = [LogFileKind.Digest] });
        Assert.Equal(20, digests.Count);
        Assert.All(digests, f => Assert.Equal(LogFileKind.Digest, f.Kind));
    }

    [Fact]
    public async Task TrailPrefixAboveAwsLogsIsFound()
    {
        var store = Sample("org-trail/logs/");
        var files = await Find(store, new LogFileQuery { StartTime = Day, EndTime = Day });
        Assert.Equal(4, files.Count);
        Assert.All(store.ObjectListings, p => Assert.EndsWith("/2021/07/30/", p));
    }

    [Fact]
    public async Task OrganizationLayoutIsWalked()
    {
        var keys = new[] { "111111111111", "222222222222" }.Select(a => CloudTrailFixtures.Key(a, "eu-west-1", Day, org: "o-abc123def45")).ToList();
        keys.Add(CloudTrailFixtures.Key("333333333333", "eu-west-1", Day));
        var store = new MemoryStore(keys);
        var files = await Find(store, new LogFileQuery { StartTime = Day, EndTime = Day });
        Assert.Equal(3, files.Count);
        Assert.Equal(2, files.Count(f => f.OrganizationId == "o-abc123def45"));
        var one = await Find(new MemoryStore(keys), new LogFileQuery { Accounts = ["222222222222"], Regions = ["eu-west-1"], StartTime = Day, EndTime = Day });
        Assert.Equal("222222222222", Assert.Single(one).Account);
    }

    [Theory]
    [InlineData("AWSLogs/111111111111/CloudTrail/us-east-1/", 5)]
    [InlineData("AWSLogs/111111111111/CloudTrail/us-east-1", 5)]
    [InlineData("AWSLogs/111111111111", 10)]
    [InlineData("AWSLogs/111111111111/CloudTrail/us-east-1/2021/07/", 4)] // 07/28..07/31; 08/01 is outside
    [InlineData("AWSLogs/111111111111/CloudTrail/us-east-1/2021/07/30/", 1)]
    public async Task PrefixInsideTheLayoutIsHonoured(string prefix, int expected)
    {
        var files = await Find(Sample(), new LogFileQuery { Prefix = prefix });
        Assert.Equal(expected, files.Count);
        Assert.All(files, f => Assert.StartsWith(prefix, f.Key!));
    }

    [Fact]
    public async Task PrefixContradictingAFilterFindsNothing()
    {
        var store = Sample();
        Assert.Empty(await Find(store, new LogFileQuery { Prefix = "AWSLogs/111111111111/", Accounts = ["222222222222"] }));
        Assert.Empty(store.ObjectListings);
    }

    [Fact]
    public void LongRangesUseMonthPrefixes()
    {
        var q = new LogFileQuery { StartTime = new DateTime(2024, 1, 15), EndTime = new DateTime(2024, 6, 1) };
        Assert.Equal(["r/2024/01/", "r/2024/02/", "r/2024/03/", "r/2024/04/", "r/2024/05/", "r/2024/06/"], LogFileFinder.DatePrefixes(q, "r/"));
    }
}
