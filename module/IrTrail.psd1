#
# IrTrail module manifest. build.ps1 fills in {{ModuleVersion}} from Directory.Build.props (the one version number).
#
@{
    RootModule           = 'IrTrail.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5b0f1b8e-8f0e-4c55-9d3c-2f7c1e0a9e11'
    Author               = 'IrTrail contributors'
    CompanyName          = 'IrTrail'
    Copyright            = '(c) IrTrail contributors. MIT License.'
    Description          = 'AWS CloudTrail incident response for PowerShell: read and filter CloudTrail logs as objects, convert them to a partitioned Parquet dataset, and run incident-response SQL locally with DuckDB or in AWS with Athena.'
    # PowerShell 7.4 (.NET 8) or later only: Windows PowerShell 5.1 stops here with a message naming the version needed.
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('IrTrail.Format.ps1xml')
    TypesToProcess       = @('IrTrail.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-IrTrailEvent'
        'Convert-IrTrailToParquet'
        'Invoke-IrTrailQuery'
        'Get-IrTrailLogFile'
        'Save-IrTrailLog'
        'Test-IrTrailLogIntegrity'
        'New-IrTrailSampleData'
        'Export-IrTrailDashboard'
        'Get-IrTrailQuery'
        'Measure-IrTrailQuery'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'CloudTrail', 'IncidentResponse', 'DFIR', 'Parquet', 'DuckDB', 'Athena', 'Security', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See README.md.'
        }
    }
}
