<#
.SYNOPSIS
    Generates IrTrail's MAML help (en-US/IrTrail.dll-Help.xml) from the markdown sources in docs/en-US.
.DESCRIPTION
    platyPS is not served by the package registries IrTrail builds from, so this does its job: the prose (synopsis,
    description, examples, parameter descriptions, inputs, outputs, notes, links) comes from docs/en-US/<Cmdlet>.md;
    the syntax (parameter sets, types, positions, pipeline input, aliases, wildcards) comes from the laid-out module
    itself, so it can never drift from the code. It fails when a cmdlet has no page, a page lacks a section or two
    examples, or a public parameter is undocumented (or documented but gone).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutFile
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$module = Import-Module $ModulePath -PassThru -Force
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

function Read-HelpMarkdown([string] $File) {
    # Sections are '## NAME'; sub-items '### title'. Fenced code stays as it is.
    $doc = @{ Sections = [ordered]@{} }
    $section = $null; $sub = $null; $inFence = $false
    foreach ($line in (Get-Content $File)) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') { $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null; $doc.Sections[$section] = [ordered]@{ '' = [System.Collections.Generic.List[string]]::new() }; continue }
        if (-not $inFence -and $section -and $line -match '^### (.+)$') { $sub = $Matches[1].Trim(); $doc.Sections[$section][$sub] = [System.Collections.Generic.List[string]]::new(); continue }
        if ($section) { $key = if ($sub) { $sub } else { '' }; $doc.Sections[$section][$key].Add($line) }
    }
    $doc
}

function ConvertTo-Paragraphs([string[]] $Lines) {
    # Blank lines separate paragraphs; lines of a paragraph are joined.
    $paras = [System.Collections.Generic.List[string]]::new(); $cur = [System.Collections.Generic.List[string]]::new()
    foreach ($l in $Lines) {
        if ($l.Trim() -eq '') { if ($cur.Count) { $paras.Add(($cur -join ' ').Trim()); $cur.Clear() } }
        else { $cur.Add($l.Trim()) }
    }
    if ($cur.Count) { $paras.Add(($cur -join ' ').Trim()) }
    , $paras
}

function Get-Text($Doc, [string] $Section, [string] $Sub = '') {
    if (-not $Doc.Sections.Contains($Section)) { return @() }
    $s = $Doc.Sections[$Section]
    if (-not $s.Contains($Sub)) { return @() }
    , @($s[$Sub])
}

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$settings = [System.Xml.XmlWriterSettings]::new(); $settings.Indent = $true; $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
New-Item -ItemType Directory -Path (Split-Path $OutFile) -Force | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutFile, $settings)
function Para([string] $Text) { $w.WriteStartElement('maml', 'para', $ns.maml); $w.WriteString($Text); $w.WriteEndElement() }
function Description([string[]] $Lines) {
    $w.WriteStartElement('maml', 'description', $ns.maml)
    foreach ($p in (ConvertTo-Paragraphs $Lines)) { Para $p }
    $w.WriteEndElement()
}
function TypeName([type] $T) {
    if ($T.IsGenericType -and $T.GetGenericTypeDefinition() -eq [Nullable`1]) { $T = $T.GetGenericArguments()[0] }
    if ($T -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $T.Name
}
function PipelineText($P) {
    $kinds = @(); if ($P.ValueFromPipeline) { $kinds += 'ByValue' }; if ($P.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}
function WriteParameter($Param, $SetMeta, [string[]] $DescLines, [bool] $Globbing) {
    $w.WriteStartElement('command', 'parameter', $ns.command)
    $w.WriteAttributeString('required', "$($SetMeta.IsMandatory)".ToLowerInvariant())
    $w.WriteAttributeString('variableLength', "$($Param.ParameterType.IsArray)".ToLowerInvariant())
    $w.WriteAttributeString('globbing', "$Globbing".ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', (PipelineText $SetMeta))
    $w.WriteAttributeString('position', $(if ($SetMeta.Position -ge 0) { "$($SetMeta.Position)" } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($Param.Aliases.Count) { $Param.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('maml', 'name', $ns.maml, $Param.Name)
    Description $DescLines
    if ($Param.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
        $w.WriteStartElement('command', 'parameterValue', $ns.command); $w.WriteAttributeString('required', 'true'); $w.WriteAttributeString('variableLength', 'false')
        $w.WriteString((TypeName $Param.ParameterType)); $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, (TypeName $Param.ParameterType)); $w.WriteEndElement()
    $w.WriteElementString('dev', 'defaultValue', $ns.dev, 'None')
    $w.WriteEndElement()
}

$problems = [System.Collections.Generic.List[string]]::new()
$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
foreach ($cmd in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $file = Join-Path $DocsPath "$($cmd.Name).md"
    if (-not (Test-Path $file)) { $problems.Add("$($cmd.Name): no help page at $file"); continue }
    $doc = Read-HelpMarkdown $file
    foreach ($s in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS') {
        if (-not $doc.Sections.Contains($s)) { $problems.Add("$($cmd.Name): the page has no '## $s' section") }
    }
    $examples = if ($doc.Sections.Contains('EXAMPLES')) { @($doc.Sections['EXAMPLES'].Keys | Where-Object { $_ }) } else { @() }
    if ($examples.Count -lt 2) { $problems.Add("$($cmd.Name): fewer than two examples") }
    $own = @($cmd.Parameters.Values | Where-Object { $_.Name -notin $common })
    $documented = if ($doc.Sections.Contains('PARAMETERS')) { @($doc.Sections['PARAMETERS'].Keys | Where-Object { $_ } | ForEach-Object { $_.TrimStart('-') }) } else { @() }
    foreach ($p in $own) { if ($p.Name -notin $documented -or -not ((Get-Text $doc 'PARAMETERS' "-$($p.Name)") -join '').Trim()) { $problems.Add("$($cmd.Name): parameter -$($p.Name) is not documented") } }
    foreach ($d in $documented) { if ($d -notin $own.Name) { $problems.Add("$($cmd.Name): documents -$d, which the cmdlet does not have") } }

    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml); $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('command', 'name', $ns.command, $cmd.Name)
    $w.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
    Description (Get-Text $doc 'SYNOPSIS')
    $w.WriteEndElement()
    Description (Get-Text $doc 'DESCRIPTION')

    $type = $cmd.ImplementingType
    $wild = @{}
    foreach ($prop in $type.GetProperties()) { $wild[$prop.Name] = [bool]($prop.GetCustomAttributes([System.Management.Automation.SupportsWildcardsAttribute], $true)) }
    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
        foreach ($sp in ($set.Parameters | Where-Object { $_.Name -notin $common } | Sort-Object { if ($_.Position -ge 0) { $_.Position } else { 1000 } }, { -not $_.IsMandatory })) {
            $param = $cmd.Parameters[$sp.Name]
            WriteParameter $param $sp (Get-Text $doc 'PARAMETERS' "-$($sp.Name)") $wild[$sp.Name]
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in ($own | Sort-Object Name)) {
        $meta = $p.ParameterSets.Values | Select-Object -First 1
        WriteParameter $p $meta (Get-Text $doc 'PARAMETERS' "-$($p.Name)") $wild[$p.Name]
    }
    $w.WriteEndElement()

    foreach ($pair in @(@('INPUTS', 'inputTypes', 'inputType'), @('OUTPUTS', 'returnValues', 'returnValue'))) {
        $w.WriteStartElement('command', $pair[1], $ns.command)
        if ($doc.Sections.Contains($pair[0])) {
            foreach ($k in @($doc.Sections[$pair[0]].Keys | Where-Object { $_ })) {
                $w.WriteStartElement('command', $pair[2], $ns.command)
                $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $k); $w.WriteEndElement()
                Description (Get-Text $doc $pair[0] $k)
                $w.WriteEndElement()
            }
        }
        $w.WriteEndElement()
    }

    $w.WriteStartElement('maml', 'alertSet', $ns.maml); $w.WriteStartElement('maml', 'alert', $ns.maml)
    foreach ($p in (ConvertTo-Paragraphs (Get-Text $doc 'NOTES'))) { Para $p }
    $w.WriteEndElement(); $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $ns.command)
    foreach ($title in $examples) {
        $lines = Get-Text $doc 'EXAMPLES' $title
        $code = [System.Collections.Generic.List[string]]::new(); $rest = [System.Collections.Generic.List[string]]::new(); $state = 0
        foreach ($l in $lines) {
            if ($l -match '^```') { $state++; continue }
            if ($state -eq 1) { $code.Add($l) } elseif ($state -ge 2) { $rest.Add($l) }
        }
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('maml', 'title', $ns.maml, "--------- $title ---------")
        $w.WriteElementString('dev', 'code', $ns.dev, ($code -join "`n"))
        $w.WriteStartElement('dev', 'remarks', $ns.dev)
        foreach ($p in (ConvertTo-Paragraphs $rest)) { Para $p }
        $w.WriteEndElement(); $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($l in (Get-Text $doc 'RELATED LINKS')) {
        if ($l -match '\[(.+?)\]\((.*?)\)') {
            $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
            $w.WriteElementString('maml', 'linkText', $ns.maml, $Matches[1]); $w.WriteElementString('maml', 'uri', $ns.maml, $Matches[2])
            $w.WriteEndElement()
        }
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()
if ($problems.Count) {
    $problems | ForEach-Object { Write-Host "help: $_" -ForegroundColor Red }
    throw "Help is incomplete: $($problems.Count) problem(s). Every public parameter needs a description in docs/en-US."
}
Write-Host "Wrote help for $($module.ExportedCmdlets.Count) cmdlets to $OutFile"
