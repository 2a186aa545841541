# The built module in a fresh pwsh: manifest, load context, native DuckDB. Only this catches layout mistakes.
BeforeAll {
    $ModulePath = $env:IRTRAIL_MODULE_PATH
    Import-Module $ModulePath -Force
}

Describe 'Module manifest' {
    It 'requires PowerShell 7.4 Core and exports an explicit cmdlet list' {
        $m = Import-PowerShellDataFile (Join-Path $ModulePath 'IrTrail.psd1')
        $m.PowerShellVersion | Should -Be '7.4'
        $m.CompatiblePSEditions | Should -Be @('Core')
        $m.CmdletsToExport | Should -Not -Contain '*'
        (Get-Module IrTrail).ExportedCmdlets.Keys | Sort-Object | Should -Be ($m.CmdletsToExport | Sort-Object)
    }
}

Describe 'Dependency isolation' {
    It 'loads the engine and third-party assemblies into the IrTrail load context, not the default one' {
        $null = Invoke-IrTrailQuery 'SELECT 1 AS one'
        $alc = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'IrTrail'
        $alc | Should -Not -BeNullOrEmpty
        $names = $alc.Assemblies.GetName().Name
        $names | Should -Contain 'IrTrail.Core'
        $names | Should -Contain 'DuckDB.NET.Data'
        [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name | Should -Not -Contain 'IrTrail.Core'
    }

    It 'runs DuckDB through the native library shipped under Dependencies/runtimes' {
        $row = Invoke-IrTrailQuery 'SELECT 42 AS answer, version() AS v'
        $row.answer | Should -Be 42
        $row.v | Should -Match '^v\d'
    }
}
