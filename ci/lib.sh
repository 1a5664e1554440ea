# shellcheck shell=bash
# ci/lib.sh - shared by the ci/ scripts: repo paths, logging, timed steps.

RS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RS_BUILD=${RS_BUILD:-$RS_TOP/build}
RS_JOBS=${RS_JOBS:-$(nproc 2>/dev/null || echo 2)}

rs_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
rs_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Configure and build one tree: rs_build DIR [cmake args...]
rs_build() {
	local dir=$1
	shift
	cmake -S "$RS_TOP" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log" >&2; return 1; }
	cmake --build "$dir" -j "$RS_JOBS" >"$dir.build.log" 2>&1 ||
		{ grep -E 'error|warning' "$dir.build.log" >&2 || tail -40 "$dir.build.log" >&2; return 1; }
}

# Steps: run each, time it, remember the outcome, keep going so one run
# shows every failure.  rs_step NAME CMD...; rs_steps_summary at the end.
RS_STEP_NAMES=()
RS_STEP_RESULTS=()
RS_STEP_SECONDS=()
rs_step() {
	local name=$1
	shift
	rs_say "$name"
	local t0=$SECONDS rc=0
	"$@" || rc=$?
	RS_STEP_NAMES+=("$name")
	RS_STEP_SECONDS+=($((SECONDS - t0)))
	if [ "$rc" -eq 0 ]; then
		RS_STEP_RESULTS+=(PASS)
	else
		RS_STEP_RESULTS+=("FAIL($rc)")
		printf '\033[31m--> %s failed (exit %s)\033[0m\n' "$name" "$rc" >&2
	fi
}

rs_steps_summary() {
	local i failed=0 total=${#RS_STEP_NAMES[@]}
	printf '\n%-44s %-9s %s\n' step result seconds
	for ((i = 0; i < total; i++)); do
		printf '%-44s %-9s %s\n' "${RS_STEP_NAMES[$i]}" "${RS_STEP_RESULTS[$i]}" "${RS_STEP_SECONDS[$i]}"
		[ "${RS_STEP_RESULTS[$i]}" = PASS ] || failed=$((failed + 1))
	done
	local verdict=PASS
	[ "$failed" -eq 0 ] || verdict=FAIL
	printf '%s: %s - %d steps in %ds\n' "$(basename "$0")" "$verdict" "$total" "$SECONDS"
	# The last line, plain, for whatever reads CI logs.
	printf '%d passed, %d failed\n' $((total - failed)) "$failed"
	[ "$failed" -eq 0 ]
}
