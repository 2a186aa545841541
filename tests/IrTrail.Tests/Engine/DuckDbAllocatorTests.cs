using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>The converter makes DuckDB's allocator return freed memory sooner while it runs, and puts the settings back
/// afterwards (they are process-wide: later queries in the session must not pay for them). Alone: a conversion running
/// in parallel would tune the same settings.</summary>
[Collection(AllocatorAloneCollection.Name)]
public sealed class DuckDbAllocatorTests
{
    [Fact]
    public void DecaySettingsChangeWhileTunedAndAreRestored()
    {
        using (new IrTrail.Core.Query.LocalQueryEngine()) { } // loads DuckDB's library
        var before = DuckDbAllocator.Read("arenas.dirty_decay_ms");
        if (before is null)
        {
            Assert.False(OperatingSystem.IsLinux(), "DuckDB's Linux build has jemalloc; its settings must be readable.");
            return; // Windows and macOS builds use the system allocator: nothing to tune
        }
        var muzzyBefore = DuckDbAllocator.Read("arenas.muzzy_decay_ms");
        using (DuckDbAllocator.ReturnFreedMemorySooner(dirtyMs: 123))
        {
            Assert.Equal(123, DuckDbAllocator.Read("arenas.dirty_decay_ms"));
            Assert.Equal(0, DuckDbAllocator.Read("arenas.muzzy_decay_ms"));
            Assert.Equal(123, DuckDbAllocator.Read("arena.0.dirty_decay_ms"));
            DuckDbAllocator.Purge();
        }
        Assert.Equal(before, DuckDbAllocator.Read("arenas.dirty_decay_ms"));
        Assert.Equal(muzzyBefore, DuckDbAllocator.Read("arenas.muzzy_decay_ms"));

        // Two conversions at once: the settings stay tuned until the last one ends, then come back.
        var first = DuckDbAllocator.ReturnFreedMemorySooner(dirtyMs: 77);
        var second = DuckDbAllocator.ReturnFreedMemorySooner(dirtyMs: 77);
        first.Dispose();
        first.Dispose(); // twice is once
        Assert.Equal(77, DuckDbAllocator.Read("arenas.dirty_decay_ms"));
        second.Dispose();
        Assert.Equal(before, DuckDbAllocator.Read("arenas.dirty_decay_ms"));
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocatorAloneCollection
{
    public const string Name = "DuckDB allocator settings, alone";
}
