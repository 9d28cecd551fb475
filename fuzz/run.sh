#!/usr/bin/env bash
# Usage: fuzz/run.sh [SECONDS]        (default 60; 0 replays fuzz/regressions/ only; `make fuzz`)
#
# Installs cargo-fuzz if missing (into .tools/, pinned), seeds the corpora, builds every target,
# replays fuzz/regressions/<target>-*.bin, then fuzzes each target for SECONDS, two at a time.
# Exits non-zero if a regression fails or a target finds a crash, leak, out-of-memory or timeout,
# listing the artifact files; slow units (over FUZZ_SLOW seconds) are listed as warnings.
#
# Works on stable Rust: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z sanitizer flags.
# Environment: FUZZ_JOBS (2), FUZZ_SANITIZER (address; `none` if ASan does not link),
# FUZZ_TIMEOUT (10 s per input), FUZZ_SLOW (3 s), FUZZ_SLOW_REPLAY (2 s), FUZZ_TARGETS (all,
# space-separated).
set -euo pipefail
FUZZ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ")"
SECS="${1:-60}"
CARGO_FUZZ_VERSION=0.13.2
JOBS="${FUZZ_JOBS:-2}"
SANITIZER="${FUZZ_SANITIZER:-address}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"
SLOW="${FUZZ_SLOW:-3}"
read -r -a TARGETS <<<"${FUZZ_TARGETS:-read_any read_yaml read_json_shapes read_jsonl analyze_many stream_same body_facts har_same otlp_same jsonl_same tape_same de_same}"

export PATH="$ROOT/.tools/bin:$PATH"
export RUSTC_BOOTSTRAP=1
cd "$ROOT"

if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
	cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$ROOT/.tools"
fi

"$FUZZ/seed.sh"

if ! cargo fuzz build --fuzz-dir fuzz -s "$SANITIZER"; then
	[ "$SANITIZER" = none ] && exit 1
	echo "fuzz: building with -s $SANITIZER failed; retrying without a sanitizer" >&2
	SANITIZER=none
	cargo fuzz build --fuzz-dir fuzz -s none
fi
BIN="$FUZZ/target/$(rustc -vV | sed -n 's/^host: //p')/release"
mkdir -p "$FUZZ/logs"
failed=0

# Known reproducers: each must now pass; a `-slow` one within FUZZ_SLOW_REPLAY seconds (2).
for t in "${TARGETS[@]}"; do
	for f in "$FUZZ/regressions/$t"-*.bin; do
		[ -f "$f" ] || continue
		limit="$TIMEOUT"
		case "$f" in *-slow.bin) limit="${FUZZ_SLOW_REPLAY:-2}" ;; esac
		log="$FUZZ/logs/regression-$(basename "$f" .bin).log"
		if ! "$BIN/$t" -timeout="$limit" -rss_limit_mb=2048 "$f" >"$log" 2>&1; then
			echo "fuzz: $t fails on fuzz/regressions/$(basename "$f") (limit ${limit}s); see ${log#"$ROOT/"}" >&2
			failed=1
		fi
	done
done

if [ "$SECS" = 0 ]; then # replay only
	[ "$failed" = 0 ] && echo "fuzz: every regression input passes"
	exit "$failed"
fi

marker="$(mktemp)"
trap 'rm -f "$marker"' EXIT
run_one() {
	local t="$1"
	mkdir -p "$FUZZ/artifacts/$t"
	"$BIN/$t" -artifact_prefix="$FUZZ/artifacts/$t/" -max_total_time="$SECS" -timeout="$TIMEOUT" \
		-report_slow_units="$SLOW" -rss_limit_mb=2048 -max_len=131072 -dict="$FUZZ/callstate.dict" \
		-print_final_stats=1 "$FUZZ/corpus/$t" >"$FUZZ/logs/$t.log" 2>&1
	local status=$?
	local done_line execs rate
	done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$FUZZ/logs/$t.log" | tail -1 || true)"
	execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$FUZZ/logs/$t.log")"
	rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$FUZZ/logs/$t.log")"
	echo "fuzz: $t: exit $status; ${execs:-?} execs, ${rate:-?} exec/s; ${done_line:-no DONE line (see fuzz/logs/$t.log)}"
	return $((status != 0))
}
export -f run_one
export FUZZ BIN SECS TIMEOUT SLOW
echo "fuzz: ${#TARGETS[@]} targets, ${SECS}s each, $JOBS at a time, sanitizer $SANITIZER; logs in fuzz/logs/"
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}' || failed=1

found="$(find "$FUZZ/artifacts" -type f -newer "$marker" \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' \) | sort)"
slow="$(find "$FUZZ/artifacts" -type f -newer "$marker" -name 'slow-unit-*' | sort)"
if [ -n "$slow" ]; then
	echo "fuzz: slow inputs (over ${SLOW}s):"
	sed 's/^/  /' <<<"$slow"
fi
if [ -n "$found" ]; then
	echo "fuzz: FOUND (reproduce with fuzz/target/<triple>/release/<target> FILE; minimise with cargo fuzz tmin):" >&2
	sed 's/^/  /' <<<"$found" >&2
	failed=1
fi
[ "$failed" = 0 ] && echo "fuzz: no crash found"
exit "$failed"
