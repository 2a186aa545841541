# Invoke-IrTrailQuery / Get-IrTrailQuery / Measure-IrTrailQuery through the built module (queries folder shipped in it).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $Logs = Join-Path $env:IRTRAIL_REPO_ROOT 'tests/fixtures/logs'
    $Dataset = Join-Path $TestDrive 'ds'
    $Conversion = Convert-IrTrailToParquet -Path $Logs -Destination $Dataset -Force -Confirm:$false
}

Describe 'The query library in the built module' {
    It 'ships every query of its queries folder, the talk''s three by name' {
        # The library's real size, counted from the shipped files themselves.
        $shipped = Join-Path (Split-Path (Get-Module IrTrail).Path) 'queries'
        $inFiles = (Get-ChildItem $shipped -Filter *.json | ForEach-Object { (Get-Content $_ -Raw | ConvertFrom-Json).queries.Count } | Measure-Object -Sum).Sum
        $inFiles | Should -BeGreaterThan 80
        (Get-IrTrailQuery).Count | Should -Be $inFiles
        (Get-IrTrailQuery -Name talk-*).Name | Sort-Object | Should -Be @('talk-api-errors', 'talk-ec2-role-list-buckets', 'talk-malicious-ip')
        (Get-IrTrailQuery talk-malicious-ip).Parameters[0].Default | Should -Be '5.205.62.253'
        $table = Get-IrTrailQuery -Name evasion-cloudtrail | Format-Table | Out-String -Width 250
        $table | Should -Match 'Techniques'
        $table | Should -Match 'evasion-cloudtrail\s+Detection\s+Critical'
    }

    It 'filters by kind and severity' {
        $critical = @(Get-IrTrailQuery -Kind Detection -Severity Critical)
        $critical.Count | Should -BeGreaterThan 0
        $critical.Name | Should -Contain 'evasion-organizations'
        @($critical | Where-Object { "$($_.Severity)" -ne 'Critical' -or "$($_.Kind)" -ne 'Detection' }).Count | Should -Be 0
        (Get-IrTrailQuery -Kind Dashboard).Count | Should -Be @(Get-IrTrailQuery | Where-Object { "$($_.Kind)" -eq 'Dashboard' }).Count
    }

    It 'adds a user pack from IRTRAIL_QUERY_PATH' {
        $pack = Join-Path $TestDrive 'pack'; New-Item -ItemType Directory $pack | Out-Null
        '{ "queries": [ { "name": "my-count", "title": "t", "description": "d", "sql": { "duckdb": "SELECT count(*) AS n FROM cloudtrail" } } ] }' | Set-Content (Join-Path $pack 'p.json')
        $env:IRTRAIL_QUERY_PATH = $pack
        try { (Invoke-IrTrailQuery -Path $Dataset -Name my-count).n | Should -BeGreaterThan 0 } finally { $env:IRTRAIL_QUERY_PATH = $null }
    }
}

Describe 'Invoke-IrTrailQuery over a dataset and raw logs' {
    It 'runs the talk''s queries from the piped conversion result, with the same rows as over the raw logs' {
        foreach ($name in 'talk-api-errors', 'talk-malicious-ip', 'talk-ec2-role-list-buckets') {
            $a = $Conversion | Invoke-IrTrailQuery -Name $name | ConvertTo-Json -Depth 5 -Compress
            $b = Invoke-IrTrailQuery -Path $Logs -Name $name | ConvertTo-Json -Depth 5 -Compress
            # Blobs are JSON text: verbatim from the dataset, re-serialised (no spaces) by read_json.
            ($a -replace ' ', '') | Should -Be ($b -replace ' ', '')
        }
        $rows = Invoke-IrTrailQuery -Path $Dataset -Name talk-api-errors
        $rows.Count | Should -BeGreaterThan 0
        $rows[0].PSObject.TypeNames[0] | Should -Be 'IrTrail.QueryRow.talk-api-errors'
        $rows[0].eventTime.Kind | Should -Be 'Utc'
    }

    It 'gives statistics with a table view' {
        $s = Invoke-IrTrailQuery -Path $Dataset -Sql 'SELECT * FROM <<table>>' -Statistics | Select-Object -Last 1
        $s.Source | Should -Be 'Dataset'
        $s.FilesRead | Should -Be $s.FilesTotal
        $s | Format-Table | Out-String -Width 250 | Should -Match 'RowGroups'
    }

    It 'stops early with Select-Object -First' {
        (Invoke-IrTrailQuery -Path $Logs -Sql 'SELECT * FROM cloudtrail' | Select-Object -First 1).Count | Should -Be 1
        # Rows are fetched on a worker thread: stopping early must release it, so the next query runs normally.
        (Invoke-IrTrailQuery -Path $Dataset -Sql 'SELECT * FROM range(1000000)' | Select-Object -First 3).Count | Should -Be 3
        (Invoke-IrTrailQuery -Path $Dataset -Sql 'SELECT count(*) AS n FROM cloudtrail').n | Should -BeGreaterThan 0
    }

    It 'writes rows of a class per query: its type names, one property per column, each row its own' {
        $rows = @(Invoke-IrTrailQuery -Path $Dataset -Sql 'SELECT eventName FROM cloudtrail LIMIT 5')
        $rows.Count | Should -Be 5
        # A user's change to one row's type names stays on that row.
        $rows[0].PSObject.TypeNames.Insert(0, 'Changed.ByTheUser')
        @($rows[1].PSObject.TypeNames) | Should -Be @('IrTrail.QueryRow.Sql', 'IrTrail.QueryRow', 'System.Object')
        $named = @(Invoke-IrTrailQuery -Path $Dataset -Name talk-api-errors)[0]
        @($named.PSObject.TypeNames) | Should -Be @('IrTrail.QueryRow.talk-api-errors', 'IrTrail.QueryRow', 'System.Object')
        # One property per column, in the query's order; a repeated name (case-insensitive) gets a suffix.
        $dup = Invoke-IrTrailQuery -Path $Dataset -Sql 'SELECT 1 AS a, 2 AS A, [1, 2] AS list'
        @($dup.PSObject.Properties.Name) | Should -Be @('a', 'A_2', 'list')
        $dup.list | Should -Be @(1, 2)
        "$dup" | Should -Be '@{a=1; A_2=2; list=System.Object[]}'
        # Rows are writable like custom objects, and a change to one row stays on it.
        $two = @(Invoke-IrTrailQuery -Path $Dataset -Sql 'SELECT i FROM range(2) t(i) ORDER BY i')
        $two[0].i = 5
        $two[1].i | Should -Be 1
    }

    It 'reports a query that fails after rows were written, after those rows' {
        $out = Invoke-IrTrailQuery -Path $Dataset -Sql "SELECT CASE WHEN i < 5000 THEN i ELSE error('boom at ' || i) END AS i FROM range(10000) t(i)" -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        "$($errs[0])" | Should -Match 'boom'
        @($out).Count | Should -BeLessThan 10000
    }
}

Describe 'Measure-IrTrailQuery' {
    It 'returns the talk''s table' {
        $m = Measure-IrTrailQuery -LogPath $Logs -DatasetPath $Dataset -Name talk-api-errors -Runs 1
        $m.Query | Should -Be 'talk-api-errors'
        $m.JsonBytesScanned | Should -BeGreaterThan 0
        $m | Format-Table | Out-String -Width 250 | Should -Match '% less data'
    }
}
