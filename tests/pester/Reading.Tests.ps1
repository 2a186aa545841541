# Get-IrTrailEvent through the built module, on the project's fixtures and on the shared real data.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $Fixtures = Join-Path $env:IRTRAIL_REPO_ROOT 'tests/fixtures'
    $Shared = Get-SharedData
}

Describe 'Get-IrTrailEvent (built module)' {
    It 'reads every fixture shape and shows the table view' {
        $events = Get-IrTrailEvent -Path (Join-Path $Fixtures 'logs')
        $events.Count | Should -Be 12
        $events[0].PSObject.TypeNames[0] | Should -Be 'IrTrail.Core.Model.CloudTrailEvent'
        $table = $events | Select-Object -First 2 | Format-Table | Out-String -Width 200
        $table | Should -Match 'EventTime \(UTC\)'
        $table | Should -Match 'ListBuckets'
    }

    It 'gives one error record per bad file, naming it, and goes on' {
        $events = Get-IrTrailEvent -Path (Join-Path $Fixtures 'bad'), (Join-Path $Fixtures 'logs') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 4
        ($errs | ForEach-Object { Split-Path $_.TargetObject -Leaf } | Sort-Object) | Should -Be @('bitflip.json.gz', 'corrupt.json.gz', 'not-cloudtrail.json', 'truncated.json')
        $events.Count | Should -BeGreaterThan 12
    }

    It 'exports to CSV and JSON' {
        $csv = Join-Path $TestDrive 'e.csv'
        Get-IrTrailEvent -Path (Join-Path $Fixtures 'logs') | Export-Csv $csv
        (Import-Csv $csv).Count | Should -Be 12
        (Get-IrTrailEvent -Path (Join-Path $Fixtures 'logs/single.json') | ConvertTo-Json -Depth 5 | ConvertFrom-Json).EventName | Should -Be 'ConsoleLogin'
    }
}

Describe 'Get-IrTrailEvent on the shared real data' {
    It 'counts 30,477 events in the SANS lab' {
        if (-not $Shared) { Set-ItResult -Skipped -Because '../shared/data/cloudtrail-real is absent'; return }
        (Get-IrTrailEvent -Path (Join-Path $Shared 'sans504-s3-ransomware-lab') | Measure-Object).Count | Should -Be 30477
    }

    It 'gives exactly one error in the processing-library fixtures (the malformed file) and 41 events' {
        if (-not $Shared) { Set-ItResult -Skipped -Because '../shared/data/cloudtrail-real is absent'; return }
        $events = Get-IrTrailEvent -Path (Join-Path $Shared 'aws-cloudtrail-processing-library-testfiles') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].TargetObject | Should -BeLike '*SerializerTestFileBadJsonFormat.json'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MalformedJson,*'
        $events.Count | Should -Be 41
    }
}
