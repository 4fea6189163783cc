#!/bin/sh
# Runs one fuzz target on one core for a while, its corpus seeded from models/ and fuzz/seeds/.
#
#   fuzz/run.sh load_yaml          # 600 s
#   fuzz/run.sh engine 3600        # an hour
#   fuzz/run.sh import_open_psa    # seeded from ../shared/bench/open-psa when it is there
#
# Crashes land in fuzz/artifacts/TARGET/; reproduce one with
#   cargo fuzz run --sanitizer none -a TARGET fuzz/artifacts/TARGET/crash-...
# and, for `engine`, print the model it generated with
#   cargo fuzz fmt --sanitizer none -a engine fuzz/artifacts/engine/crash-...
set -eu
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-600}
corpus=fuzz/corpus/$target
mkdir -p "$corpus"
case $target in
    load_yaml) cp models/*.yaml models/*.json "$corpus"/ ;;
    load_toml) cp models/*.toml "$corpus"/ ;;
    load_json) cp models/*.json "$corpus"/ ;;
    import_open_psa)
        # The small MEF files of the public benchmark, where it sits beside the clone.
        if [ -d ../shared/bench/open-psa ]; then
            find ../shared/bench/open-psa -name '*.xml' -size -8k -exec cp {} "$corpus"/ \;
        fi ;;
esac
if [ -d "fuzz/seeds/$target" ]; then
    cp fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
fi
case $target in
    load_*) options="-max_len=8192 -dict=fuzz/model.dict" ;;
    # Writes only into a scratch folder of its own; what the commands print is not kept.
    cli_args) options="-max_len=8192 -dict=fuzz/model.dict -close_fd_mask=3" ;;
    import_open_psa) options="-max_len=8192 -dict=fuzz/open_psa.dict" ;;
    # Bytes become models through `arbitrary`: start at full length for models of every size.
    *) options="-max_len=2048 -len_control=0" ;;
esac
# Stable Rust: no sanitizer (they need nightly); -a keeps debug assertions and overflow checks.
# One process on one core; a slow input (over 10 s) or a large one (over 2 GiB) is a finding.
# shellcheck disable=SC2086
exec cargo fuzz run --sanitizer none -a "$target" "$corpus" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $options
