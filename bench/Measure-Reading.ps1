<#
.SYNOPSIS
    Benchmark: reading CloudTrail .json.gz with Get-IrTrailEvent — rate and peak memory of the whole pwsh process —
    side by side with the plain-PowerShell way (gunzip + ConvertFrom-Json -AsHashtable per file).
.DESCRIPTION
    Makes (or reuses) a corpus with bench/New-BenchCorpus.ps1, then runs each reader in its own fresh pwsh,
    alternating, -Rounds times. Peak memory is the process's peak resident set (VmHWM on Linux, PeakWorkingSet64
    elsewhere) at the end of the run. Prints a table; paste it into docs/benchmarks.md with the command line.
.EXAMPLE
    ./bench/Measure-Reading.ps1 -EventCount 1000000 -BaselineEventCount 100000
#>
[CmdletBinding()]
param(
    [long] $EventCount = 1000000,
    # The baseline is far slower; run it on a prefix corpus of this many events and compare rates.
    [long] $BaselineEventCount = 100000,
    [int] $Rounds = 2,
    [string] $CorpusRoot = (Join-Path $PSScriptRoot 'corpus'),
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrTrail')
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path

function Get-Corpus([long] $Count) {
    $dir = Join-Path $CorpusRoot "events-$Count"
    if (-not (Test-Path (Join-Path $dir '.complete'))) {
        & (Join-Path $PSScriptRoot 'New-BenchCorpus.ps1') -EventCount $Count -Path $dir | Out-Host
        Set-Content (Join-Path $dir '.complete') (Get-Date -Format o)
    }
    $files = Get-ChildItem $dir -Recurse -Filter *.json.gz
    [pscustomobject]@{ Path = $dir; Files = $files.Count; GzBytes = ($files | Measure-Object Length -Sum).Sum }
}

$peak = @'
function Get-PeakMB {
    if (Test-Path /proc/self/status) { [double]((Select-String -Path /proc/self/status -Pattern '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value) / 1024 }
    else { (Get-Process -Id $PID).PeakWorkingSet64 / 1MB }
}
'@

$runners = [ordered]@{
    'Get-IrTrailEvent' = @"
$peak
Import-Module '$ModulePath'
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$n = (Get-IrTrailEvent -Path '@@PATH@@' | Measure-Object).Count
"{0} {1} {2}" -f `$n, `$sw.Elapsed.TotalSeconds, (Get-PeakMB)
"@
    'gunzip + ConvertFrom-Json -AsHashtable' = @"
$peak
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$n = 0
foreach (`$f in Get-ChildItem '@@PATH@@' -Recurse -Filter *.json.gz) {
    `$gz = [IO.Compression.GZipStream]::new([IO.File]::OpenRead(`$f.FullName), [IO.Compression.CompressionMode]::Decompress)
    `$text = [IO.StreamReader]::new(`$gz).ReadToEnd(); `$gz.Dispose()
    `$n += ((`$text | ConvertFrom-Json -AsHashtable).Records | Measure-Object).Count
}
"{0} {1} {2}" -f `$n, `$sw.Elapsed.TotalSeconds, (Get-PeakMB)
"@
}

function Invoke-Runner([string] $Script) {
    $file = Join-Path ([IO.Path]::GetTempPath()) "irtrail-bench-$([guid]::NewGuid().ToString('n')).ps1"
    Set-Content $file $Script
    $exe = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    try {
        $line = if (Test-Path $exe) { & $exe -NoProfile -File $file } else { & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -File $file }
        if ($LASTEXITCODE -ne 0) { throw "runner failed: $line" }
        $p = ($line | Select-Object -Last 1) -split ' '
        [pscustomobject]@{ Events = [long]$p[0]; Seconds = [double]$p[1]; PeakMB = [double]$p[2] }
    } finally { Remove-Item $file -ErrorAction SilentlyContinue }
}

$big = Get-Corpus $EventCount
$small = Get-Corpus $BaselineEventCount
$rawMB = @{}
$results = foreach ($round in 1..$Rounds) {
    foreach ($name in $runners.Keys) {
        foreach ($c in @($small) + $(if ($name -eq 'Get-IrTrailEvent') { @($big) } else { @() })) {
            $r = Invoke-Runner ($runners[$name].Replace('@@PATH@@', $c.Path))
            [pscustomobject]@{
                Round = $round; Reader = $name; Events = $r.Events; Files = $c.Files; 'GzMB' = [math]::Round($c.GzBytes / 1MB, 1)
                Seconds = [math]::Round($r.Seconds, 1); 'EventsPerSec' = [math]::Round($r.Events / $r.Seconds)
                'PeakMB' = [math]::Round($r.PeakMB)
            }
        }
    }
}
$results | Format-Table -AutoSize | Out-String -Width 220 | Out-Host
$mine = $results | Where-Object { $_.Reader -eq 'Get-IrTrailEvent' -and $_.Events -eq $BaselineEventCount } | Measure-Object EventsPerSec -Average
$base = $results | Where-Object { $_.Reader -ne 'Get-IrTrailEvent' } | Measure-Object EventsPerSec -Average
"Get-IrTrailEvent reads {0:N1}x as many events per second as gunzip + ConvertFrom-Json -AsHashtable on the same {1:N0}-event corpus." -f ($mine.Average / $base.Average), $BaselineEventCount
