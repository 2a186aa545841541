using System.Runtime.CompilerServices;
using IrTrail.Core.Dataset;
using Xunit;

namespace IrTrail.Tests.Engine;

public sealed class ConverterWarmupTests
{
    /// <summary>The warm-up compiles exactly the engine's methods marked AggressiveOptimization (the per-record and
    /// per-batch ones), reading's first, and each can be compiled ahead of its first call.</summary>
    [Fact]
    public void Finds_and_compiles_the_hot_methods()
    {
        var methods = ConverterWarmup.HotMethods().ToList();
        var names = methods.Select(m => m.DeclaringType!.Name + "." + m.Name).ToList();
        foreach (var expected in new[] { "JsonWalker.String", "CloudTrailColumnMapper.Map", "StructuralJson.ObjectLength",
                     "RowBuffer.GatherSlots", "ArrowRows.Build", "RowOrder.RadixSort", "DatasetConverter.Consume" })
            Assert.Contains(expected, names);
        Assert.DoesNotContain("DatasetConverter.RunAsync", names); // not marked: tiered as usual
        Assert.All(methods, m => Assert.True((m.MethodImplementationFlags & System.Reflection.MethodImplAttributes.AggressiveOptimization) != 0));
        Assert.True(names.IndexOf("JsonWalker.String") < names.IndexOf("ArrowRows.Build"), "reading's methods come first");
        foreach (var m in methods) RuntimeHelpers.PrepareMethod(m.MethodHandle);
        ConverterWarmup.Start(); // once per process, and never throws
        ConverterWarmup.Start();
    }
}
