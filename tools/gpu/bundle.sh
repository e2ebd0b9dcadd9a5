#!/usr/bin/env bash
# tools/gpu/bundle.sh — packs the CLI for a machine without .NET (the lent GPU machine): a self-contained linux-x64
# publish of pmc, compressed to .device/gpu-bundle.tar.xz (the device tool carries at most 64 MiB). On the GPU machine:
#   tar xJf .device/gpu-bundle.tar.xz -C /tmp && /tmp/pmc-gpu/run.sh bench --device gpu
# (the device tool: run with carry [".device/gpu-bundle.tar.xz"]).
# `pmc bench --device` needs nothing else: its proves use synthetic circuits generated in-process.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
stage="$root/.device/gpu-bundle/pmc-gpu"
rm -rf "$root/.device/gpu-bundle"
mkdir -p "$stage"
dotnet publish "$root/src/Cli/Cli.csproj" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
  -p:RunAnalyzers=false -p:GenerateDocumentationFile=false -o "$stage" --verbosity quiet -nologo
# The runtime's own apphost runs pmc.dll; invariant globalization spares the GPU machine an ICU install.
cat > "$stage/run.sh" <<'SH'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
exec "$here/pmc" "$@"
SH
chmod +x "$stage/run.sh"
find "$stage" -name '*.pdb' -delete
tar -C "$root/.device/gpu-bundle" -cf - pmc-gpu | xz -T2 -6 > "$root/.device/gpu-bundle.tar.xz"
rm -rf "$root/.device/gpu-bundle"
size=$(stat -c %s "$root/.device/gpu-bundle.tar.xz")
echo ".device/gpu-bundle.tar.xz: $((size / 1048576)) MiB"
if (( size > 64 * 1048576 )); then
  echo "tools/gpu/bundle.sh: the bundle is over the device tool's 64 MiB carry limit" >&2
  exit 1
fi
