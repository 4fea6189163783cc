#!/usr/bin/env bash
# Side by side on the Aralia fault trees: SCRAM's exact BDD analysis against nines on the same
# file (`nines fault-tree`), plus the model route (`nines import open-psa` + `nines eval`).
#
#   scripts/bench-scram.sh                    every tree in ../shared/bench/open-psa/Aralia
#   scripts/bench-scram.sh chinese das9701    the named trees
#
# Environment:
#   ARALIA_DIR      where the trees are (default: ../shared/bench/open-psa/Aralia beside the clone)
#   SCRAM_TIMEOUT   seconds before SCRAM is stopped (default 300)
#   NINES_TIMEOUT   seconds before nines is stopped (default 300)
#   SCRAM_FLAGS     extra SCRAM flags, e.g. "-l 1" to skip most of the cut-set reporting
#   SKIP_SCRAM=1    time nines alone
#
# SCRAM is `apt-get install scram` (0.16.2). Its command is the one the issue names:
# `scram --bdd --probability true FILE`, which also lists the minimal cut sets up to order 20.
# Times are wall-clock seconds of the whole command (process start, parsing, analysis, output).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${ARALIA_DIR:-../shared/bench/open-psa/Aralia}
scram_timeout=${SCRAM_TIMEOUT:-300}
nines_timeout=${NINES_TIMEOUT:-300}
if [[ ! -d $dir ]]; then
    echo "no Aralia trees at $dir (set ARALIA_DIR)" >&2
    exit 2
fi

have_scram=1
if [[ ${SKIP_SCRAM:-0} == 1 ]]; then
    have_scram=0
elif ! command -v scram >/dev/null; then
    echo "note: scram is not installed (apt-get install scram); timing nines alone" >&2
    have_scram=0
fi

cargo build --release --quiet
nines=${CARGO_TARGET_DIR:-$PWD/target}/release/nines
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $# -gt 0 ]]; then
    trees=("$@")
else
    trees=()
    for f in "$dir"/*.xml; do trees+=("$(basename "$f" .xml)"); done
fi

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

echo "# $(date -u +%Y-%m-%d) on $(nproc) x $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
printf '%-10s %10s %10s %9s %12s  %-14s %-14s %s\n' tree scram_s nines_s speedup import+eval_s P_scram P_nines note
for t in "${trees[@]}"; do
    xml=$dir/$t.xml
    scram_s=- p_scram=- note=
    if [[ $have_scram == 1 ]]; then
        start=$(now)
        # shellcheck disable=SC2086 # SCRAM_FLAGS is a list of flags
        if timeout "$scram_timeout" scram --bdd --probability true ${SCRAM_FLAGS:-} "$xml" \
            -o "$work/$t.scram.xml" >/dev/null 2>"$work/$t.scram.err"; then
            scram_s=$(seconds "$start" "$(now)")
            p_scram=$(grep -o '<sum-of-products [^>]*' "$work/$t.scram.xml" | head -1 |
                grep -o 'probability="[^"]*"' | cut -d'"' -f2)
        else
            scram_s=">$scram_timeout"
            note="scram did not finish"
        fi
    fi
    # nines on the same file: `nines fault-tree` reads the XML and solves it, NOT gates included.
    p_nines=-
    nines_s=-
    start=$(now)
    status=0
    timeout "$nines_timeout" "$nines" fault-tree "$xml" --format json \
        >"$work/$t.ft.json" 2>"$work/$t.ft.err" || status=$?
    if [[ $status == 0 ]]; then
        nines_s=$(seconds "$start" "$(now)")
        p_nines=$(grep -m1 '"probability"' "$work/$t.ft.json" | tr -d ' ,' | cut -d: -f2)
    elif [[ $status == 124 ]]; then
        nines_s=">$nines_timeout"
    else
        nines_s="failed"
        note="${note:+$note; }nines gave up after $(seconds "$start" "$(now)") s: $(head -1 "$work/$t.ft.err")"
    fi
    # And the model route: import to a nines model, then `nines eval` (coherent trees only).
    eval_s=-
    start=$(now)
    if "$nines" import open-psa "$xml" -o "$work/$t.yaml" >/dev/null 2>&1; then
        if timeout "$nines_timeout" "$nines" eval "$work/$t.yaml" --format json >/dev/null 2>&1; then
            eval_s=$(seconds "$start" "$(now)")
        else
            eval_s=">$nines_timeout"
        fi
    fi
    speedup=-
    if [[ $scram_s =~ ^[0-9.]+$ && $nines_s =~ ^[0-9.]+$ ]]; then
        speedup=$(awk -v s="$scram_s" -v n="$nines_s" 'BEGIN { printf "%.1fx", s / n }')
    elif [[ $scram_s == ">"* && $nines_s =~ ^[0-9.]+$ ]]; then
        speedup=">$(awk -v s="${scram_s#>}" -v n="$nines_s" 'BEGIN { printf "%.0fx", s / n }')"
    fi
    if [[ $p_scram =~ [0-9] && $p_nines =~ [0-9] ]]; then
        agree=$(awk -v a="$p_scram" -v b="$p_nines" \
            'BEGIN { d = (a - b) / a; if (d < 0) d = -d; print (d <= 1e-5 ? "agree" : "DIFFER") }')
        note="${note:+$note; }$agree"
    fi
    if [[ $p_nines =~ [0-9] ]]; then
        p_nines=$(awk -v p="$p_nines" 'BEGIN { printf "%.6g", p }')
    fi
    printf '%-10s %10s %10s %9s %12s  %-14s %-14s %s\n' "$t" "$scram_s" "$nines_s" "$speedup" \
        "$eval_s" "$p_scram" "$p_nines" "$note"
done
