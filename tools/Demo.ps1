<#
.SYNOPSIS
    IrTrail's demo: the talk's pipeline, end to end, on built-in data. Run through `./build.ps1 Demo`.
.DESCRIPTION
    Steps whose cmdlets have not landed yet are announced and skipped, never failed.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $WorkPath
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath -Force
$repo = Split-Path $PSScriptRoot -Parent
$fixtures = Join-Path $repo 'tests/fixtures/logs'
New-Item -ItemType Directory -Path $WorkPath -Force | Out-Null

function Step([string] $Title) { Write-Host ''; Write-Host "== $Title" -ForegroundColor Cyan }
function Has([string] $Cmdlet) { [bool](Get-Command $Cmdlet -Module IrTrail -ErrorAction SilentlyContinue) }
function Later([string] $What) { Write-Host "   (still to come: $What)" -ForegroundColor DarkYellow }

Write-Host "IrTrail $((Get-Module IrTrail).Version) demo — PowerShell $($PSVersionTable.PSVersion) on $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"

Step '1. Read CloudTrail logs as objects (Get-IrTrailEvent)'
$events = Get-IrTrailEvent -Path $fixtures -Verbose 4>&1 | ForEach-Object {
    if ($_ -is [System.Management.Automation.VerboseRecord]) { if ($_.Message -like 'Summary:*') { Write-Host "   $($_.Message)" } } else { $_ }
}
$events | Sort-Object EventTime | Format-Table | Out-String -Width 160 | Write-Host

Step '2. Filter: everything from a suspicious IP, and every failed call'
Get-IrTrailEvent -Path $fixtures -SourceIPAddress 5.205.62.253 | Format-Table | Out-String -Width 160 | Write-Host
Get-IrTrailEvent -Path $fixtures -ErrorCode * | Select-Object EventTime, EventName, ErrorCode, Principal | Format-Table | Out-String -Width 160 | Write-Host

Step '3. SQL in the embedded engine (Invoke-IrTrailQuery)'
Invoke-IrTrailQuery "SELECT eventName, count(*) AS events FROM read_json('$fixtures/lines.jsonl') GROUP BY 1" | Format-Table | Out-String | Write-Host

Step '4. Realistic sample logs with planted incidents (New-IrTrailSampleData)'
$sample = $null
if (Has 'New-IrTrailSampleData') {
    $sample = New-IrTrailSampleData -Path (Join-Path $WorkPath 'sample') -EventCount 100000 -Seed 42 -Force -Confirm:$false
    $sample | Format-List | Out-String | Write-Host
} else { Later 'New-IrTrailSampleData (issue 3)' }

Step "5. Convert to a partitioned Parquet dataset (Convert-IrTrailToParquet)"
$dataset = $null
if ((Has 'Convert-IrTrailToParquet') -and $sample) {
    $dataset = Convert-IrTrailToParquet -Path $sample.Path -Destination (Join-Path $WorkPath 'dataset') -Force -Confirm:$false
    $dataset | Format-List | Out-String | Write-Host
} else { Later 'Convert-IrTrailToParquet (issue 4) on the sample' }

Step "6. The talk's three queries over the dataset"
if ($dataset -and (Has 'Get-IrTrailQuery')) {
    foreach ($name in 'talk-api-errors', 'talk-malicious-ip', 'talk-ec2-role-list-buckets') {
        Write-Host "-- $name" -ForegroundColor Green
        Invoke-IrTrailQuery -Path $dataset.Destination -Name $name | Select-Object -First 10 | Format-Table | Out-String -Width 160 | Write-Host
    }
} else { Later "the query library and Invoke-IrTrailQuery -Path <dataset> (issue 5)" }

Step "7. The talk's table: the same query over raw JSON and over Parquet (Measure-IrTrailQuery)"
if ($dataset -and (Has 'Measure-IrTrailQuery')) {
    Measure-IrTrailQuery -LogPath $sample.Path -DatasetPath $dataset.Destination -Name talk-api-errors | Format-Table | Out-String -Width 160 | Write-Host
} else { Later 'Measure-IrTrailQuery (issue 5)' }

Step '8. The offline dashboard (Export-IrTrailDashboard)'
if ($dataset -and (Has 'Export-IrTrailDashboard')) {
    $html = Export-IrTrailDashboard -Path $dataset.Destination -Destination (Join-Path $WorkPath 'dashboard.html') -Force -Confirm:$false
    Write-Host "   Dashboard: $($html.FullName)"
} else { Later 'Export-IrTrailDashboard (issue 6)' }

Write-Host ''
Write-Host 'Demo complete.' -ForegroundColor Green
