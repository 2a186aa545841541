# Convert-IrTrailToParquet through the built module in a fresh pwsh: binding, errors, -WhatIf, incremental runs, and a
# conversion killed mid-way then finished by re-running.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $Shared = $env:IRTRAIL_SHARED_DATA
    $Sans = if ($Shared) { Join-Path $Shared 'sans504-s3-ransomware-lab' }
    function Get-Count([string] $Root, [string] $Where = 'true') {
        $glob = (Join-Path $Root '**/*.parquet').Replace("'", "''")
        (Invoke-IrTrailQuery "SELECT count(*) AS n FROM read_parquet('$glob', hive_partitioning = true) WHERE $Where").n
    }
    function New-Fixture([string] $Folder) {
        New-Item -ItemType Directory -Force -Path $Folder | Out-Null
        $good = '{"Records":[{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","eventID":"11111111-2222-3333-4444-555555555555","recipientAccountId":"012345678901","readOnly":"true","requestParameters":{"tagging":"a","Tagging":"b"}},' +
                '{"eventVersion":"1.08","eventTime":"not a time","eventName":"Odd","awsRegion":"eu-west-1","recipientAccountId":"012345678901"}]}'
        Set-Content -LiteralPath (Join-Path $Folder 'good.json') -Value $good -NoNewline
        Set-Content -LiteralPath (Join-Path $Folder 'broken.json') -Value '{"Records":[{"eventVersion":"1.08","eventID":"x"' -NoNewline
        [IO.File]::WriteAllBytes((Join-Path $Folder 'corrupt.json.gz'), [byte[]](0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9))
    }
}

Describe 'Convert-IrTrailToParquet' {
    It 'converts the SANS folder into 23,981 deduplicated rows' {
        if (-not $Shared) { Set-ItResult -Skipped -Because '../shared is absent'; return }
        $dest = Join-Path $TestDrive 'sans'
        $r = Convert-IrTrailToParquet -Path $Sans -Destination $dest
        $r.GetType().FullName | Should -Be 'IrTrail.Core.Dataset.ConversionResult'
        $r.EventsIn | Should -Be 30477
        $r.Duplicates | Should -Be 6496
        $r.EventsWritten | Should -Be 23981
        Get-Count $dest | Should -Be 23981
        Test-Path (Join-Path $dest '_irtrail/manifest.jsonl') | Should -BeTrue
        (Get-ChildItem $dest -Directory).Name | Should -Match '^(account_id=.+|_irtrail)$'
        # The same inputs again add nothing.
        $again = Convert-IrTrailToParquet -Path $Sans -Destination $dest
        $again.FilesWritten | Should -Be 0
        $again.FilesUnchanged | Should -Be $r.FilesRead
        Get-Count $dest | Should -Be 23981
    }

    It 'reports bad files as errors, keeps going, and keeps events with an unknown time' {
        $src = Join-Path $TestDrive 'bad'; New-Fixture $src
        $dest = Join-Path $TestDrive 'bad-out'
        $r = Convert-IrTrailToParquet -Path $src -Destination $dest -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 2
        ($errs | ForEach-Object { $_.FullyQualifiedErrorId -replace ',.*' }) | Sort-Object | Should -Be @('CorruptGzip', 'MalformedJson')
        $errs | ForEach-Object { $_.TargetObject | Should -Match '(broken\.json|corrupt\.json\.gz)$' }
        $r.FilesFailed | Should -Be 2
        $r.EventsWritten | Should -Be 2
        $r.UnknownTimeEvents | Should -Be 1
        Get-Count $dest "event_date = 'unknown'" | Should -Be 1
        Get-Count $dest "readOnly AND json_extract_string(requestParameters, '$.Tagging') = 'b'" | Should -Be 1
        $manifest = Get-Content (Join-Path $dest '_irtrail/manifest.jsonl') | ConvertFrom-Json
        ($manifest | Where-Object status -eq 'failed').Count | Should -Be 2
        # The result's per-file outcomes are the run's manifest entries.
        $r.Sources | Should -HaveCount 3
        ($r.Sources | Where-Object Status -eq 'failed').Uri | Split-Path -Leaf | Sort-Object | Should -Be @('broken.json', 'corrupt.json.gz')
        ($r.Sources | Where-Object Status -eq 'converted').Events | Should -Be 2
    }

    It 'takes files from the pipeline (PSPath) and -WhatIf writes nothing' {
        $src = Join-Path $TestDrive 'pipe'; New-Fixture $src
        $dest = Join-Path $TestDrive 'pipe-out'
        Get-ChildItem $src -Filter good.json | Convert-IrTrailToParquet -Destination $dest -WhatIf
        Test-Path $dest | Should -BeFalse
        $r = Get-ChildItem $src -Filter good.json | Convert-IrTrailToParquet -Destination $dest
        $r.FilesRead | Should -Be 1
        $r.EventsWritten | Should -Be 2
    }

    It 'refuses a folder that is not a dataset, and -Force replaces a dataset' {
        $src = Join-Path $TestDrive 'force'; New-Fixture $src
        $other = Join-Path $TestDrive 'not-a-dataset'; New-Item -ItemType Directory $other | Out-Null; Set-Content (Join-Path $other 'x.txt') 'x'
        { Convert-IrTrailToParquet -LiteralPath (Join-Path $src 'good.json') -Destination $other -ErrorAction Stop } | Should -Throw -ErrorId 'DatasetUnusable*'
        $dest = Join-Path $TestDrive 'force-out'
        $null = Convert-IrTrailToParquet -LiteralPath (Join-Path $src 'good.json') -Destination $dest
        $r = Convert-IrTrailToParquet -LiteralPath (Join-Path $src 'good.json') -Destination $dest -Force -Confirm:$false
        $r.EventsWritten | Should -Be 2
        Get-Count $dest | Should -Be 2
    }

    It 'leaves the C heap keeping freed large blocks for reuse after a conversion (Linux, glibc)' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'the heap tuning is glibc''s'; return }
        # In a fresh process (the thresholds are process-wide and can only be set once): a conversion, then four rounds
        # of 12 blocks of 1 MB written and freed, as a writer's row-group buffers are. Counted: page faults per round.
        $src = Join-Path $TestDrive 'heap-src'
        New-Fixture $src
        Remove-Item (Join-Path $src 'broken.json'), (Join-Path $src 'corrupt.json.gz')
        $probe = {
            param([string] $Mode)
            @"
`$ErrorActionPreference = 'Stop'
$(if ($Mode) { "`$env:IRTRAIL_CONVERT_HEAP = '$Mode'" })
Import-Module '$($env:IRTRAIL_MODULE_PATH)'
`$null = Convert-IrTrailToParquet -Path '$src' -Destination '$(Join-Path $TestDrive "heap-ds-$Mode")' -Force
function Faults { [long](((Get-Content /proc/self/stat -Raw) -split '\)')[1].Trim() -split ' ')[7] }
`$block = [byte[]]::new(1MB); [Array]::Fill(`$block, [byte]1)
foreach (`$round in 1..4) {
    `$f0 = Faults
    `$ptrs = foreach (`$i in 1..12) { `$p = [Runtime.InteropServices.Marshal]::AllocHGlobal(1MB); [Runtime.InteropServices.Marshal]::Copy(`$block, 0, `$p, 1MB); `$p }
    (Faults) - `$f0
    foreach (`$p in `$ptrs) { [Runtime.InteropServices.Marshal]::FreeHGlobal(`$p) }
}
"@
        }
        $tuned = [long[]](Invoke-FreshPwsh (& $probe ''))
        $default = [long[]](Invoke-FreshPwsh (& $probe 'default'))
        # The first round maps 12 MB (3,072 pages) either way; after it, the tuned heap hands the same pages back.
        ($tuned[1..3] | Measure-Object -Sum).Sum | Should -BeLessThan 1000
        # With glibc's defaults (IRTRAIL_CONVERT_HEAP=default) the freed top is given back and every round faults again.
        ($default[1..3] | Measure-Object -Sum).Sum | Should -BeGreaterThan 6000
    }

    It 'finishes a killed run by re-running, giving the same rows as one clean run' {
        if (-not $Shared) { Set-ItResult -Skipped -Because '../shared is absent'; return }
        $corpus = Join-Path $TestDrive 'corpus'
        & (Join-Path $env:IRTRAIL_REPO_ROOT 'bench/New-BenchCorpus.ps1') -EventCount 150000 -Path $corpus -SharedData $Shared | Out-Null
        $clean = Join-Path $TestDrive 'clean'
        $null = Convert-IrTrailToParquet -Path $corpus -Destination $clean
        $killed = Join-Path $TestDrive 'killed'
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $command = "Import-Module '$($env:IRTRAIL_MODULE_PATH)'; Convert-IrTrailToParquet -Path '$corpus' -Destination '$killed' -ThrottleLimit 1"
        $child = Start-Process -FilePath $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $command -PassThru
        $deadline = [DateTime]::UtcNow.AddMinutes(3)
        while (-not (Get-ChildItem $killed -Recurse -Force -Filter '*.parquet.tmp' -ErrorAction SilentlyContinue) -and -not $child.HasExited -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        $child.HasExited | Should -BeFalse -Because 'the run must be killed mid-way'
        Stop-Process -Id $child.Id -Force
        $child.WaitForExit()
        # Nothing half-written is visible, and nothing was committed.
        Get-ChildItem $killed -Recurse -Filter '*.parquet' | Should -BeNullOrEmpty
        Test-Path (Join-Path $killed '_irtrail/manifest.jsonl') | Should -BeFalse
        $null = Convert-IrTrailToParquet -Path $corpus -Destination $killed
        Get-ChildItem $killed -Recurse -Force -Filter '*.tmp' | Should -BeNullOrEmpty
        $a = (Join-Path $clean '**/*.parquet').Replace("'", "''")
        $b = (Join-Path $killed '**/*.parquet').Replace("'", "''")
        $n = Get-Count $clean
        $n | Should -Be 150000
        Get-Count $killed | Should -Be $n
        $diff = Invoke-IrTrailQuery "SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet('$a', hive_partitioning = true) EXCEPT ALL SELECT * FROM read_parquet('$b', hive_partitioning = true))) + (SELECT count(*) FROM (SELECT * FROM read_parquet('$b', hive_partitioning = true) EXCEPT ALL SELECT * FROM read_parquet('$a', hive_partitioning = true))) AS d"
        $diff.d | Should -Be 0
    }
}
