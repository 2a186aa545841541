#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, packages and demonstrates IrTrail.
.DESCRIPTION
    Tasks (positional): Build, Test, Package, Demo, Clean. Plain PowerShell 7; works on Linux, macOS and Windows.
    Everything it needs comes from NuGet (and npm / Debian packages for the browser and S3 tests, installed by .ci/run).
.EXAMPLE
    ./build.ps1 Test
.EXAMPLE
    ./build.ps1 Package -Runtime win-x64, linux-x64
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Runtimes to package (Package) or lay out (Build): win-x64, win-arm64, linux-x64, linux-arm64, osx.
    # Default: the current one. A comma-separated string works too (as `pwsh -File` passes lists).
    [string[]] $Runtime,

    # Test: skip the xunit part or the Pester part.
    [switch] $SkipXunit,
    [switch] $SkipPester,

    # Test: only Pester files/tests with these tags.
    [string[]] $Tag,

    # Test: the fast tier only: xunit tests without the trait Tier=Full and Pester tests not tagged Full (no servers,
    # no big corpora, no browser). The full run is the default and what CI runs.
    [switch] $Fast
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$knownRuntimes = 'win-x64', 'win-arm64', 'linux-x64', 'linux-arm64', 'osx'
if ($Runtime) {
    $Runtime = @($Runtime | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    $bad = @($Runtime | Where-Object { $_ -notin $knownRuntimes })
    if ($bad) { throw "Unknown runtime(s) $($bad -join ', '): use $($knownRuntimes -join ', ')." }
}
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'IrTrail'
$pesterVersion = '5.7.1'

function Get-CurrentRuntime {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant()
    if ($IsWindows) { "win-$arch" } elseif ($IsMacOS) { 'osx' } else { "linux-$arch" }
}

function Get-IrTrailVersion {
    [xml] $props = Get-Content (Join-Path $root 'Directory.Build.props') -Raw
    $props.Project.PropertyGroup.IrTrailVersion | Where-Object { $_ } | Select-Object -First 1
}

# A fresh pwsh for help generation, Pester and the demo. Under `dotnet pwsh` (the local tool) the process is dotnet,
# so start pwsh from $PSHOME: its apphost where present, else `dotnet pwsh.dll`.
function Get-PwshCommand {
    $exe = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    if ((Test-Path $exe) -and ($IsWindows -or ((Get-Item $exe).UnixMode -match 'x'))) { return @($exe) }
    @((Get-Command dotnet).Source, (Join-Path $PSHOME 'pwsh.dll'))
}

function Invoke-Pwsh([string[]] $Arguments) {
    $cmd = @(Get-PwshCommand)
    $rest = @($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments
    Invoke-Native $cmd[0] $rest
}

function Invoke-Native([string] $File, [string[]] $Arguments) {
    Write-Host ">> $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File exited with code $LASTEXITCODE" }
}

# Files the module folder must hold; the build fails if one is missing. Dependencies/ is checked separately.
$moduleFiles = @(
    'IrTrail.psd1'
    'IrTrail.dll'
    'IrTrail.Format.ps1xml'
    'IrTrail.Types.ps1xml'
    'en-US/about_IrTrail.help.txt'
    'en-US/IrTrail.dll-Help.xml'
)
$dependencyFiles = @(
    'IrTrail.Core.dll'
    'DuckDB.NET.Data.dll'
    'DuckDB.NET.Bindings.dll'
    'Parquet.dll'
    'ParquetSharp.dll'
    'Apache.Arrow.dll'
    'AWSSDK.Core.dll'
    'AWSSDK.S3.dll'
    'AWSSDK.SecurityToken.dll'
    'AWSSDK.SSO.dll'
    'AWSSDK.SSOOIDC.dll'
)

# Architecture-specific runtime folders a runtime name stands for besides its own (macOS: both architectures).
function Get-RuntimeFolders([string] $Rid) { if ($Rid -eq 'osx') { 'osx-x64', 'osx-arm64' } }

function Invoke-Build {
    param([string[]] $Runtimes = @(Get-CurrentRuntime), [string] $Destination = $moduleOut)
    $staging = Join-Path $out 'publish'
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/IrTrail.Core/IrTrail.Core.csproj'), '-c', $Configuration, '-o', (Join-Path $staging 'core'), '--nologo', '-v', 'quiet')
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/IrTrail/IrTrail.csproj'), '-c', $Configuration, '-o', (Join-Path $staging 'cmdlets'), '--nologo', '-v', 'quiet')

    if (Test-Path $Destination) { Remove-Item $Destination -Recurse -Force }
    $deps = Join-Path $Destination 'Dependencies'
    New-Item -ItemType Directory -Path $deps, (Join-Path $Destination 'en-US') -Force | Out-Null

    # Cmdlet assembly at the root; the engine and every third-party assembly under Dependencies/ (own load context).
    Copy-Item (Join-Path $staging 'cmdlets/IrTrail.dll'), (Join-Path $staging 'cmdlets/IrTrail.pdb') $Destination
    Get-ChildItem (Join-Path $staging 'core') -File | Where-Object { $_.Extension -in '.dll', '.pdb' } | Copy-Item -Destination $deps
    foreach ($rid in $Runtimes) {
        $native = Join-Path $staging "core/runtimes/$rid"
        if (-not (Test-Path $native)) { throw "No native assets for runtime '$rid' in the publish output." }
        # DuckDB ships one universal macOS library (osx), ParquetSharp one per architecture (osx-x64, osx-arm64).
        foreach ($folder in @($rid) + @(Get-RuntimeFolders $rid)) {
            $from = Join-Path $staging "core/runtimes/$folder"
            if (-not (Test-Path $from)) { continue }
            $target = Join-Path $deps "runtimes/$folder"
            New-Item -ItemType Directory -Path $target -Force | Out-Null
            Copy-Item "$from/*" $target -Recurse
        }
    }

    $version = Get-IrTrailVersion
    (Get-Content (Join-Path $root 'module/IrTrail.psd1') -Raw).Replace('{{ModuleVersion}}', $version) |
        Set-Content (Join-Path $Destination 'IrTrail.psd1') -Encoding utf8NoBOM
    foreach ($f in 'IrTrail.Format.ps1xml', 'IrTrail.Types.ps1xml', 'en-US/about_IrTrail.help.txt') {
        Copy-Item (Join-Path $root "module/$f") (Join-Path $Destination $f)
    }
    $assets = Join-Path $root 'module/assets'
    if (Test-Path $assets) { Copy-Item $assets (Join-Path $Destination 'assets') -Recurse }
    $queries = Join-Path $root 'module/queries'
    if (Test-Path $queries) { Copy-Item $queries (Join-Path $Destination 'queries') -Recurse }

    # MAML help from docs/en-US/*.md, generated in a fresh pwsh that imports the laid-out module for the syntax.
    Invoke-Pwsh @('-File', (Join-Path $root 'tools/Build-Help.ps1'),
        '-ModulePath', $Destination, '-DocsPath', (Join-Path $root 'docs/en-US'), '-OutFile', (Join-Path $Destination 'en-US/IrTrail.dll-Help.xml'))

    $missing = @($moduleFiles | Where-Object { -not (Test-Path (Join-Path $Destination $_)) }) +
               @($dependencyFiles | Where-Object { -not (Test-Path (Join-Path $deps $_)) }) |
               Where-Object { $_ }
    if ($missing) { throw "The module layout is missing: $($missing -join ', ')" }
    foreach ($rid in $Runtimes) {
        if (-not (Get-ChildItem (Join-Path $deps "runtimes/$rid/native") -File -ErrorAction SilentlyContinue)) { throw "No native DuckDB library for $rid." }
        foreach ($folder in $(if ($rid -eq 'osx') { Get-RuntimeFolders $rid } else { @($rid) })) {
            if (-not (Get-ChildItem (Join-Path $deps "runtimes/$folder/native") -File -Filter 'ParquetSharpNative*' -ErrorAction SilentlyContinue)) { throw "No native ParquetSharp library for $folder." }
        }
    }
    Write-Host "Built IrTrail $version at $Destination ($($Runtimes -join ', '))" -ForegroundColor Green
}

# Test tools from NuGet, restored into .tools/ (never installed globally): Pester, and AWSSDK.Core 3.7.402 for the
# test that loads another AWSSDK.Core before IrTrail, as AWS Tools for PowerShell would.
function Install-TestTools {
    $tools = Join-Path $root '.tools'
    $packages = Join-Path $tools 'packages'
    $pesterPsd1 = Join-Path $packages "pester/$pesterVersion/tools/Pester.psd1"
    $awsCore37 = Join-Path $packages 'awssdk.core/3.7.402/lib/netcoreapp3.1/AWSSDK.Core.dll'
    if (-not ((Test-Path $pesterPsd1) -and (Test-Path $awsCore37))) {
        $proj = Join-Path $tools 'restore'
        New-Item -ItemType Directory -Path $proj -Force | Out-Null
        @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$pesterVersion]" />
    <PackageDownload Include="AWSSDK.Core" Version="[3.7.402]" />
  </ItemGroup>
</Project>
"@ | Set-Content (Join-Path $proj 'restore.csproj')
        Invoke-Native dotnet @('restore', (Join-Path $proj 'restore.csproj'), '--packages', $packages, '--nologo', '-v', 'quiet')
    }
    foreach ($f in $pesterPsd1, $awsCore37) { if (-not (Test-Path $f)) { throw "Test tool missing after restore: $f" } }
    @{ Pester = $pesterPsd1; AwsCore37 = $awsCore37 }
}

function Invoke-Test {
    Invoke-Build
    $failed = @()
    $results = Join-Path $out 'TestResults'
    Remove-Item (Join-Path $results 'xunit.trx'), (Join-Path $results 'pester-summary.json') -ErrorAction SilentlyContinue
    if (-not $SkipXunit) {
        $filter = if ($Fast) { @('--filter', 'Tier!=Full') } else { @() }
        & dotnet test (Join-Path $root 'tests/IrTrail.Tests/IrTrail.Tests.csproj') -c $Configuration --nologo @filter `
            --logger 'console;verbosity=normal' --logger "trx;LogFileName=xunit.trx" --results-directory $results
        if ($LASTEXITCODE -ne 0) { $failed += 'xunit' }
    }
    if (-not $SkipPester) {
        $tools = Install-TestTools
        $env:IRTRAIL_TEST_AWSSDK_CORE37 = $tools.AwsCore37
        # A fresh pwsh: nothing of this session (loaded assemblies, imported modules) leaks into the module under test.
        try {
            Invoke-Pwsh (@('-File', (Join-Path $root 'tests/pester/Invoke-Tests.ps1'), '-PesterPath', $tools.Pester, '-ModulePath', $moduleOut,
                '-ResultsPath', (Join-Path $out 'TestResults')) + $(if ($Tag) { @('-Tag', ($Tag -join ',')) } else { @() }) +
                $(if ($Fast) { @('-ExcludeTag', 'Full') } else { @() }))
        } catch { $failed += 'Pester' }
    }
    # One closing line for both runners, so CI (and people) read one verdict.
    $passed = 0; $failedCount = 0; $skipped = 0; $failedNames = @()
    $trx = Join-Path $out 'TestResults/xunit.trx'
    if (-not $SkipXunit -and (Test-Path $trx)) {
        $c = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        # Skipped tests are counted as total minus executed (the trx notExecuted counter stays 0 for them).
        $passed += [int]$c.passed; $failedCount += [int]$c.failed + [int]$c.error; $skipped += [int]$c.total - [int]$c.executed
        $ns = @{ t = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010' }
        $failedNames += @(Select-Xml -Path $trx -XPath "//t:UnitTestResult[@outcome='Failed']" -Namespace $ns | ForEach-Object {
            "xunit: $($_.Node.testName): $(($_.Node.Output.ErrorInfo.Message -split "`n")[0])" })
    }
    $ps = Join-Path $out 'TestResults/pester-summary.json'
    if (-not $SkipPester -and (Test-Path $ps)) {
        $p = Get-Content $ps -Raw | ConvertFrom-Json
        $passed += $p.passed; $failedCount += $p.failed; $skipped += $p.skipped
        $failedNames += @($p.failedTests | Where-Object { $_ } | ForEach-Object { "Pester: $($_.name): $(($_.message -split "`n")[0])" })
    }
    if ($failed -and $failedCount -eq 0) { $failedCount = 1 }  # a runner that failed without counting (build error)
    Write-Host ''
    # Failed tests again at the very end: a CI log is often read from its tail.
    foreach ($n in $failedNames) { Write-Host "FAILED $n" }
    Write-Host "Tests: $passed passed, $failedCount failed, $skipped skipped"
    if ($failed) { throw "Tests failed: $($failed -join ', ')" }
}

function Invoke-Package {
    $rids = if ($Runtime) { $Runtime } else { @(Get-CurrentRuntime) }
    $version = Get-IrTrailVersion
    foreach ($rid in $rids) {
        $stage = Join-Path $out "package/$rid/IrTrail"
        Invoke-Build -Runtimes @($rid) -Destination $stage
        $zip = Join-Path $out "IrTrail-$version-$rid.zip"
        if (Test-Path $zip) { Remove-Item $zip -Force }
        Compress-Archive -Path $stage -DestinationPath $zip
        Write-Host "Packaged $zip" -ForegroundColor Green
    }
}

function Invoke-Demo {
    Invoke-Build
    Invoke-Pwsh @('-File', (Join-Path $root 'tools/Demo.ps1'), '-ModulePath', $moduleOut, '-WorkPath', (Join-Path $out 'demo'))
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { foreach ($d in $out, (Join-Path $root '.tools')) { if (Test-Path $d) { Remove-Item $d -Recurse -Force } }
                  Get-ChildItem $root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force }
        'Build' { Invoke-Build -Runtimes $(if ($Runtime) { $Runtime } else { @(Get-CurrentRuntime) }) }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
        'Demo' { Invoke-Demo }
    }
}
