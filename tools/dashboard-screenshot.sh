#!/usr/bin/env bash
# Regenerates the README's screenshots of the indexer dashboard (docs/images/) from the browser tests: headless Chromium
# against the serve-only host on a synthetic history (3,250 requests over eleven hours of 12-second blocks).
#   docs/images/dashboard.png        desktop, light
#   docs/images/dashboard-dark.png   desktop, dark  (kept only under 300 KB)
#   docs/images/dashboard-phone.png  375 px phone   (kept only under 300 KB)
# Needs chromium and chromedriver (`make setup`). Usage: tools/dashboard-screenshot.sh [output folder, default docs/images]
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-docs/images}
limit=$((300 * 1024))
shots=$(mktemp -d)
trap 'rm -rf "$shots"' EXIT

dotnet build tests/Indexer.Tests/Indexer.Tests.csproj -c Release --nologo --verbosity quiet
PMC_SCREENSHOT_DIR="$shots" dotnet test tests/Indexer.Tests/Indexer.Tests.csproj -c Release --no-build --nologo \
  --filter "FullyQualifiedName~DashboardBrowserTests.test_colourScheme|FullyQualifiedName~DashboardBrowserTests.test_phoneWidth" \
  --logger "console;verbosity=minimal"

mkdir -p "$dest"
cp "$shots/dashboard-light.png" "$dest/dashboard.png"
echo "$dest/dashboard.png ($(($(stat -c %s "$dest/dashboard.png") / 1024)) KiB)"
for kind in dark phone; do
  shot="$shots/dashboard-$kind.png"
  size=$(stat -c %s "$shot")
  if ((size < limit)); then
    cp "$shot" "$dest/dashboard-$kind.png"
    echo "$dest/dashboard-$kind.png ($((size / 1024)) KiB)"
  else
    rm -f "$dest/dashboard-$kind.png"
    echo "dashboard-$kind.png left out: $((size / 1024)) KiB is over 300 KiB"
  fi
done
