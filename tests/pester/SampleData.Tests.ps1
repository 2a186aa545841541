# New-IrTrailSampleData through the built module: output object, piping into Get-IrTrailEvent, reproducibility.
BeforeAll {
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $script:root = Join-Path ([System.IO.Path]::GetTempPath()) ("irtrail-pester-sample-" + [guid]::NewGuid().ToString('N'))
    $script:sample = New-IrTrailSampleData -Path $root -EventCount 3000 -Duration '02:00:00' -Seed 11 -IncludeDigest -Confirm:$false
}
AfterAll {
    if ($script:root -and (Test-Path $script:root)) { Remove-Item $script:root -Recurse -Force }
}

Describe 'New-IrTrailSampleData' {
    It 'returns a typed summary shown by its table view' {
        $sample.GetType().FullName | Should -Be 'IrTrail.Core.Sample.SampleDataResult'
        $sample.Seed | Should -Be 11
        $sample.Files | Should -BeGreaterThan 0
        $sample.DigestFiles | Should -Be 18   # 3 accounts x 3 regions x 2 hours
        $sample.Scenarios.Count | Should -Be 9
        $sample.Path | Should -Be (Join-Path $root 'AWSLogs')
        Test-Path $sample.GroundTruthPath | Should -BeTrue
        Test-Path (Join-Path $root 'digest-public-key.pem') | Should -BeTrue
        ($sample | Format-Table | Out-String) | Should -Match 'Scenarios'
    }

    It 'pipes into Get-IrTrailEvent by property name, and every file reads without an error' {
        $events = $sample | Get-IrTrailEvent -ErrorVariable readErrors -ErrorAction SilentlyContinue
        $readErrors | Should -BeNullOrEmpty
        $events.Count | Should -Be $sample.Records
        ($events.EventID | Sort-Object -Unique).Count | Should -Be $sample.Events
    }

    It 'plants the talk''s scenarios where the ground truth says' {
        $truth = Get-Content $sample.GroundTruthPath -Raw | ConvertFrom-Json
        $mal = $truth.scenarios | Where-Object name -eq 'MaliciousIp'
        $found = $sample | Get-IrTrailEvent -SourceIPAddress 5.205.62.253
        ($found.EventID | Sort-Object -Unique) | Should -Be ($mal.eventIds | Sort-Object)
        $errs = $truth.scenarios | Where-Object name -eq 'ApiErrors'
        $errors = $sample | Get-IrTrailEvent -ErrorCode 'Client.UnauthorizedOperation', 'Client.InvalidPermission.NotFound', 'Client.OperationNotPermitted', 'AccessDenied' |
            Where-Object { $_.EventID -in $errs.eventIds }
        $errors.Count | Should -Be $errs.eventCount
        $ec2 = $sample | Get-IrTrailEvent -EventName ListBuckets | Where-Object { $_.UserIdentity.PrincipalId -match ':i-[0-9a-f]+$' }
        $ec2.Count | Should -BeGreaterThan 0
    }

    It 'writes byte-identical files for the same seed and parameters' {
        $again = Join-Path ([System.IO.Path]::GetTempPath()) ("irtrail-pester-again-" + [guid]::NewGuid().ToString('N'))
        try {
            $null = New-IrTrailSampleData -Path $again -EventCount 3000 -Duration '02:00:00' -Seed 11 -IncludeDigest -Confirm:$false
            $hash = { param($r) Get-ChildItem $r -Recurse -File | Sort-Object FullName | ForEach-Object { [IO.Path]::GetRelativePath($r, $_.FullName) + ' ' + (Get-FileHash $_.FullName -Algorithm SHA256).Hash } }
            (& $hash $again) | Should -Be (& $hash $root)
        }
        finally { Remove-Item $again -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'refuses a folder that already holds a sample unless -Force, and writes nothing with -WhatIf' {
        { New-IrTrailSampleData -Path $root -EventCount 10 -Seed 1 -ErrorAction Stop } | Should -Throw -ErrorId 'OutputNotEmpty,IrTrail.Commands.NewIrTrailSampleDataCommand'
        $other = Join-Path ([System.IO.Path]::GetTempPath()) ("irtrail-pester-whatif-" + [guid]::NewGuid().ToString('N'))
        New-IrTrailSampleData -Path $other -EventCount 10 -Seed 1 -WhatIf | Should -BeNullOrEmpty
        Test-Path (Join-Path $other 'AWSLogs') | Should -BeFalse
    }

    It 'rejects an invalid account id with a clear error' {
        { New-IrTrailSampleData -Path (Join-Path $root 'x') -Account 123 -ErrorAction Stop } | Should -Throw '*12 digits*'
    }
}
