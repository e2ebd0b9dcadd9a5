#!/usr/bin/env bash
# bench/prove-ab.sh <rev> [runs] — the 2^16 prove of this checkout against the one of <rev>, alternated <runs> times
# (default 7), medians printed: a same-run comparison on a shared machine whose speed drifts by 10-20% over minutes.
# <rev> is built ReadyToRun like ./pmc in a worktree under $TMPDIR (the contracts' artifacts are copied from out/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rev=${1:?usage: bench/prove-ab.sh <rev> [runs]}; runs=${2:-7}
# Resolved here: in the worktree, a name like HEAD would mean the worktree's own checkout.
rev=$(git -C "$root" rev-parse --verify "$rev^{commit}")
tmp="${TMPDIR:-/tmp}/pmc-ab"; wt="$tmp/worktree"; binA="$tmp/bin"
B="$root/circuits/build/poseidon_chain_2e16/poseidon_chain_2e16"
[[ -f "$B.zkey" ]] || { echo "missing $B.zkey: run circuits/build.sh poseidon_chain_2e16" >&2; exit 2; }
mkdir -p "$tmp"
if [[ ! -d "$wt" ]]; then git -C "$root" worktree add -q --detach "$wt" "$rev"; else git -C "$wt" checkout -q --detach "$rev"; fi
rm -rf "$wt/out" && cp -r "$root/out" "$wt/out"
args=(-c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$binA" --verbosity quiet -nologo)
grep -qw avx512f /proc/cpuinfo && args+=(-p:PublishReadyToRunCrossgen2ExtraArgs=--instruction-set:x86-64-v4)
rm -rf "$wt/src/Cli/obj/Release/net10.0/linux-x64/R2R"
dotnet publish "$wt/src/Cli/Cli.csproj" "${args[@]}" >&2
"$root/pmc" >/dev/null 2>&1 || true   # builds this checkout's ./pmc
B_DLL="$root/src/Cli/bin/Release/r2r-linux-x64/pmc.dll"
for ((i = 0; i < runs; i++)); do
  for d in "$binA/pmc.dll" "$B_DLL"; do
    /usr/bin/time -f "%e %U %S" -o "$tmp/t.txt" dotnet "$d" prove "$B.zkey" "$B.wtns" "$tmp/p.json" "$tmp/u.json"
    echo "$d $(cat "$tmp/t.txt")"
  done
done | python3 -c '
import sys, statistics
r = {}
for line in sys.stdin:
    d, w, u, s = line.split(); r.setdefault(d, []).append((float(w), float(u) + float(s)))
for d, v in r.items():
    print(f"{d}: wall median {statistics.median(x[0] for x in v):.3f} s, cpu median {statistics.median(x[1] for x in v):.3f} s, walls {[x[0] for x in v]}")
'
