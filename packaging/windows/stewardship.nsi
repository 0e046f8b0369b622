; Stewardship Console: Windows installer (per-machine, NSIS 3).
;
; Build (on the Windows runner, after packaging\build_bundle.py):
;   makensis /DVERSION=0.1.0 /DBUNDLE_DIR=..\..\dist\stewardship-console ^
;            /DOUTFILE=..\..\dist\StewardshipConsole-0.1.0-windows-x64.exe ^
;            [/DICON=stewardship-console.ico] stewardship.nsi
;
; Install, as IT would:
;   StewardshipConsole-0.1.0-windows-x64.exe /S [/CONFIG=\\server\it\organisation.conf] [/D=C:\Path]
; /S is silent; /CONFIG= copies that file to
;   %ProgramData%\Stewardship Console\organisation.conf  (overwriting it)
; without /CONFIG the commented template is put there only if none exists yet.
; Uninstall: "Add or remove programs", or  "...\uninstall.exe" /S
; The uninstaller removes the program and its shortcuts and registry entries; it
; keeps the organisation file (IT's, like a Debian conffile) and users' data.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "pass /DVERSION=x.y.z (stewardship.__version__)"
!endif
!ifndef BUNDLE_DIR
  !error "pass /DBUNDLE_DIR=path\to\dist\stewardship-console"
!endif
!ifndef OUTFILE
  !define OUTFILE "StewardshipConsole-${VERSION}-windows-x64.exe"
!endif
!ifndef ORG_TEMPLATE
  !define ORG_TEMPLATE "..\organisation.conf"
!endif

!define PRODUCT "Stewardship Console"
!define PUBLISHER "Stewardship Console developers"
!define EXE "stewardship.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\StewardshipConsole"
!define ORG_DIR "$APPDATA\${PRODUCT}"  ; ProgramData: SetShellVarContext all

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel admin
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
; No "run now" box on the finish page: it would start the console elevated.
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${PRODUCT} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Install"
  SetOutPath "$INSTDIR"
  ; A previous version's files go first, so nothing stale is left behind.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE_DIR}\*"

  ; Organisation defaults: /CONFIG=file wins; otherwise keep what is there.
  CreateDirectory "${ORG_DIR}"
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CONFIG=" $R1
  ${IfNot} ${Errors}
    ${If} ${FileExists} "$R1"
      CopyFiles /SILENT "$R1" "${ORG_DIR}\organisation.conf"
    ${Else}
      MessageBox MB_ICONEXCLAMATION "Organisation file $R1 not found; continuing without it." /SD IDOK
    ${EndIf}
  ${EndIf}
  ${IfNot} ${FileExists} "${ORG_DIR}\organisation.conf"
    SetOutPath "${ORG_DIR}"
    File "/oname=organisation.conf" "${ORG_TEMPLATE}"
    SetOutPath "$INSTDIR"
  ${EndIf}

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\stewardship-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"  ; not /r: never delete what someone else put in a folder chosen with /D=
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
