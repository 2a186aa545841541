<#
.SYNOPSIS
    Runs the Pester suites against the built module, in this (fresh) pwsh. Called by build.ps1 Test.
.DESCRIPTION
    Each *.Tests.ps1 file imports the module from $env:IRTRAIL_MODULE_PATH. Suites tagged LiveAws run only when
    IRTRAIL_LIVE_AWS=1. Ends with the line "Pester: N passed, N failed, N skipped" and a non-zero exit on failure.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $ResultsPath = (Join-Path $PSScriptRoot '../../out/TestResults'),
    [string[]] $Tag,
    # Tags to leave out (build.ps1 -Fast passes Full).
    [string[]] $ExcludeTag = @(),
    [string[]] $Path = @($PSScriptRoot)
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:IRTRAIL_MODULE_PATH = (Resolve-Path $ModulePath).Path
$env:IRTRAIL_REPO_ROOT = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$shared = Join-Path $env:IRTRAIL_REPO_ROOT '../shared/data/cloudtrail-real'
$env:IRTRAIL_SHARED_DATA = if (Test-Path $shared) { (Resolve-Path $shared).Path } else { '' }

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
New-Item -ItemType Directory -Path $ResultsPath -Force | Out-Null
$config.TestResult.OutputPath = Join-Path $ResultsPath 'pester.xml'
if ($Tag) { $config.Filter.Tag = $Tag }
$exclude = @($ExcludeTag | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
if ($env:IRTRAIL_LIVE_AWS -ne '1') { $exclude += 'LiveAws' }
if ($exclude) { $config.Filter.ExcludeTag = $exclude }

$result = Invoke-Pester -Configuration $config
"Pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
$failedTests = @($result.Failed | ForEach-Object { @{ name = $_.ExpandedPath; message = "$($_.ErrorRecord | Select-Object -First 1)" } })
@{ passed = $result.PassedCount; failed = $result.FailedCount; skipped = $result.SkippedCount; failedTests = $failedTests } |
    ConvertTo-Json | Set-Content (Join-Path $ResultsPath 'pester-summary.json')
if ($result.FailedCount -gt 0 -or $result.Result -ne 'Passed') { exit 1 }
exit 0
