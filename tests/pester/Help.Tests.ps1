# Every exported cmdlet has complete help: the MAML generated from docs/en-US, as Get-Help -Full shows it.
BeforeDiscovery {
    $manifest = Import-PowerShellDataFile (Join-Path $env:IRTRAIL_MODULE_PATH 'IrTrail.psd1')
    $script:Cmdlets = $manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } }
}
BeforeAll {
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'Help for <Name>' -ForEach $Cmdlets {
    BeforeAll { $script:Help = Get-Help $Name -Full; $script:Cmd = Get-Command $Name }

    It 'has a synopsis and a description' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        $Help.Synopsis | Should -Not -BeLike "*$Name*[[]*"   # not the auto-generated syntax line
        ($Help.Description.Text -join '') | Should -Not -BeNullOrEmpty
    }
    It 'has at least two examples with code' {
        @($Help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($e in $Help.Examples.Example) { $e.Code | Should -Not -BeNullOrEmpty }
    }
    It 'documents every public parameter' {
        foreach ($p in $Cmd.Parameters.Keys | Where-Object { $_ -notin $Common }) {
            $ph = $Help.Parameters.Parameter | Where-Object Name -eq $p
            $ph | Should -Not -BeNullOrEmpty -Because "-$p needs help"
            ($ph.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }
    It 'names its inputs and outputs' {
        $Help.InputTypes | Should -Not -BeNullOrEmpty
        $Help.ReturnValues | Should -Not -BeNullOrEmpty
    }
}
