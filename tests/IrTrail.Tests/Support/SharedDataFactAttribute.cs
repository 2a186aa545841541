namespace IrTrail.Tests.Support;

/// <summary>A fact that needs ../shared/data/cloudtrail-real; skipped with a clear message when it is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (TestPaths.SharedData is null) Skip = TestPaths.SharedAbsent;
    }
}

/// <summary>A theory over ../shared/data/cloudtrail-real; skipped with a clear message when it is absent.</summary>
public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (TestPaths.SharedData is null) Skip = TestPaths.SharedAbsent;
    }
}
