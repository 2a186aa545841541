using System.Runtime.InteropServices;
using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>Alone: it measures the whole process's resident memory.</summary>
[Collection(WriterAloneCollection.Name)]
public sealed unsafe class NativeHeapTests
{
    private static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Memory freed in the middle of the C heap stays resident until trimmed: once 16 MB of files are
    /// written, FileWritten gives it back (Linux with glibc; elsewhere it does nothing).</summary>
    [Fact]
    public void Freed_heap_memory_is_given_back_once_enough_files_are_written()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/status")) return;
        // Blocks of 256 KB come from the heap once a freed larger block has raised glibc's mmap threshold. Every other
        // one is freed: between live blocks they cannot merge into an arena's top, which free() may give back itself,
        // so they stay resident in the arena's bins until trimmed.
        NativeMemory.Free(NativeMemory.Alloc(4 * 1024 * 1024));
        var blocks = new List<nint>();
        for (var i = 0; i < 800; i++)
        {
            var p = (byte*)NativeMemory.Alloc(256 * 1024);
            new Span<byte>(p, 256 * 1024).Fill(1); // resident
            blocks.Add((nint)p);
        }
        for (var i = 0; i < blocks.Count; i += 2) NativeMemory.Free((void*)blocks[i]);
        var before = ResidentBytes();
        NativeHeap.FileWritten(8L * 1024 * 1024); // under the threshold: nothing yet
        NativeHeap.FileWritten(16L * 1024 * 1024);
        var after = ResidentBytes();
        for (var i = 1; i < blocks.Count; i += 2) NativeMemory.Free((void*)blocks[i]);
        Assert.True(before - after > 50L * 1024 * 1024, $"resident {before >> 20} MB before, {after >> 20} MB after");
    }
}
