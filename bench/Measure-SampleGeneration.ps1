#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Measures New-IrTrailSampleData: generation rate and the peak memory of the pwsh process, small vs large.
.DESCRIPTION
    Each run is a fresh pwsh that imports the built module, generates a sample into a temporary folder and reports the
    elapsed time and its own peak working set (VmHWM on Linux). Sizes alternate (small, large, small, large, ...) so a
    noisy shared machine affects both alike. By default the event rate is the same for every size (the large sample covers
    a longer period), which is the "10 million need no more memory than 10 thousand" claim: memory is bounded by one
    5-minute window, not by the total. -SameDuration keeps one day for every size instead (denser windows).
.EXAMPLE
    ./bench/Measure-SampleGeneration.ps1 -ModulePath ./out/IrTrail
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrTrail'),
    [long[]] $EventCount = @(100000, 1000000),
    [int] $Repeat = 2,
    # Events per day of generated period when the duration scales with the size.
    [long] $EventsPerDay = 100000,
    [switch] $SameDuration,
    [switch] $IncludeDigest
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$exe = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
$pwsh = if ((Test-Path $exe) -and ($IsWindows -or ((Get-Item $exe).UnixMode -match 'x'))) { @($exe) } else { @((Get-Command dotnet).Source, (Join-Path $PSHOME 'pwsh.dll')) }

$child = @'
param($ModulePath, $Count, $Days, $Digest)
Import-Module $ModulePath
$dir = Join-Path ([IO.Path]::GetTempPath()) ('irtrail-bench-' + [guid]::NewGuid().ToString('N'))
try {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $r = New-IrTrailSampleData -Path $dir -EventCount $Count -Duration ([timespan]::FromDays($Days)) -Seed 1 -IncludeDigest:$Digest -Confirm:$false
    $sw.Stop()
    $p = [Diagnostics.Process]::GetCurrentProcess(); $p.Refresh()
    [pscustomobject]@{ Seconds = $sw.Elapsed.TotalSeconds; PeakMB = $p.PeakWorkingSet64 / 1MB; Files = $r.Files; Records = $r.Records; MB = $r.Bytes / 1MB } | ConvertTo-Json -Compress
}
finally { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }
'@
$script = Join-Path ([IO.Path]::GetTempPath()) 'irtrail-bench-child.ps1'
Set-Content $script $child

$rows = foreach ($i in 1..$Repeat) {
    foreach ($n in $EventCount) {
        $days = if ($SameDuration) { 1 } else { [math]::Max(1, $n / $EventsPerDay) }
        $childArgs = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script, $ModulePath, $n, $days, $IncludeDigest.IsPresent)
        $json = & $pwsh[0] @childArgs | Select-Object -Last 1
        $m = $json | ConvertFrom-Json
        [pscustomobject]@{
            Run = $i; Events = $n; Days = $days; Seconds = [math]::Round($m.Seconds, 1)
            EventsPerSec = [math]::Round($n / $m.Seconds); PeakMB = [math]::Round($m.PeakMB); Files = $m.Files; OutputMB = [math]::Round($m.MB, 1)
        }
    }
}
$rows | Format-Table -AutoSize | Out-String | Write-Host
$small = $EventCount | Select-Object -First 1; $large = $EventCount | Select-Object -Last 1
$s = $rows | Where-Object Events -eq $small; $l = $rows | Where-Object Events -eq $large
[pscustomobject]@{
    'Rate ratio (large/small)'        = [math]::Round(($l.EventsPerSec | Measure-Object -Average).Average / ($s.EventsPerSec | Measure-Object -Average).Average, 2)
    'Peak memory ratio (large/small)' = [math]::Round(($l.PeakMB | Measure-Object -Maximum).Maximum / ($s.PeakMB | Measure-Object -Maximum).Maximum, 2)
} | Format-List | Out-String | Write-Host
$rows
