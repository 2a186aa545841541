using System.Text.RegularExpressions;

namespace IrTrail.Core.Sample;

/// <summary>What to generate. Defaults are fixed (no clock) so that the same seed alone reproduces a sample.</summary>
public sealed partial class SampleDataOptions
{
    public static readonly DateTime DefaultStartTime = new(2025, 3, 3, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Output root folder: AWSLogs/, ground-truth.json and the digest public key go here.</summary>
    public required string OutputPath { get; init; }
    /// <summary>Unique events (background plus scenarios), not counting duplicate deliveries.</summary>
    public long EventCount { get; init; } = 10_000;
    public TimeSpan Duration { get; init; } = TimeSpan.FromDays(1);
    public DateTime StartTime { get; init; } = DefaultStartTime;
    public IReadOnlyList<string> Accounts { get; init; } = ["111122223333", "444455556666", "777788889999"];
    public IReadOnlyList<string> Regions { get; init; } = ["us-east-1", "us-west-2", "eu-west-1"];
    public int Seed { get; init; } = 1;
    public IReadOnlyList<string> Scenarios { get; init; } = SampleScenarios.Names;
    public string MaliciousIp { get; init; } = SampleScenarios.DefaultMaliciousIp;
    public bool IncludeDigest { get; init; }
    /// <summary>Organization id (o-…): files go under AWSLogs/&lt;org&gt;/&lt;account&gt;/ as an organization trail delivers them.</summary>
    public string? Organization { get; init; }
    /// <summary>Write delivery files from several threads (the bytes do not depend on it).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    public const string BucketName = "irtrail-sample-cloudtrail";
    public const string TrailName = "management-events";

    [GeneratedRegex("^[0-9]{12}$")] private static partial Regex AccountPattern();
    [GeneratedRegex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")] private static partial Regex RegionPattern();
    [GeneratedRegex("^o-[a-z0-9]{10,32}$")] private static partial Regex OrganizationPattern();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (EventCount < 0) throw new ArgumentException($"EventCount must be 0 or more, not {EventCount}.");
        if (Duration < TimeSpan.FromMinutes(5)) throw new ArgumentException($"Duration must be at least 5 minutes (one delivery window), not {Duration}.");
        if (Accounts.Count == 0) throw new ArgumentException("At least one account is needed.");
        foreach (var a in Accounts) if (!AccountPattern().IsMatch(a)) throw new ArgumentException($"'{a}' is not an AWS account id (12 digits).");
        if (Regions.Count == 0) throw new ArgumentException("At least one region is needed.");
        foreach (var r in Regions) if (!RegionPattern().IsMatch(r)) throw new ArgumentException($"'{r}' is not an AWS region name such as us-east-1.");
        if (Accounts.Distinct().Count() != Accounts.Count) throw new ArgumentException("An account is listed twice.");
        if (Regions.Distinct().Count() != Regions.Count) throw new ArgumentException("A region is listed twice.");
        foreach (var s in Scenarios)
            if (!SampleScenarios.Names.Contains(s)) throw new ArgumentException($"'{s}' is not a scenario; known: {string.Join(", ", SampleScenarios.Names)}.");
        if (!System.Net.IPAddress.TryParse(MaliciousIp, out _)) throw new ArgumentException($"'{MaliciousIp}' is not an IP address.");
        if (Organization is not null && !OrganizationPattern().IsMatch(Organization))
            throw new ArgumentException($"'{Organization}' is not an AWS Organizations id (o- followed by 10 to 32 lower-case letters or digits).");
    }
}

/// <summary>What was generated.</summary>
public sealed class SampleDataResult
{
    /// <summary>The output root folder.</summary>
    public required string Root { get; init; }
    /// <summary>The AWSLogs folder under the root: every log file, nothing else that reads as JSON (ground truth stays
    /// beside it), so it pipes into Get-IrTrailEvent / Convert-IrTrailToParquet -Path by property name.</summary>
    public string Path => System.IO.Path.Combine(Root, "AWSLogs");
    public required string GroundTruthPath { get; init; }
    public string? PublicKeyPath { get; init; }
    public int Seed { get; init; }
    public DateTime StartTime { get; init; }
    public DateTime EndTime { get; init; }
    public IReadOnlyList<string> Accounts { get; init; } = [];
    public IReadOnlyList<string> Regions { get; init; } = [];
    public IReadOnlyList<string> Scenarios { get; init; } = [];
    public int Files { get; set; }
    public int DigestFiles { get; set; }
    /// <summary>Unique events.</summary>
    public long Events { get; set; }
    /// <summary>Records written: events plus duplicate deliveries.</summary>
    public long Records { get; set; }
    public long Duplicates { get; set; }
    public long LateEvents { get; set; }
    public long ScenarioEvents { get; set; }
    /// <summary>Bytes written (compressed log and digest files).</summary>
    public long Bytes { get; set; }
    public TimeSpan Elapsed { get; set; }
}

/// <summary>Progress after a delivery window.</summary>
public readonly record struct SampleProgress(int Window, int Windows, long Records, int Files);
