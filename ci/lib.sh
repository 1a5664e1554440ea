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

# A JSON string literal of $1 (quotes, backslashes and control characters
# escaped).
rs_json_string() {
	local s=$1 out="" c i
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	s=${s//$'\r'/\\r}
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [[ $c == [[:cntrl:]] ]]; then
			printf -v c '\\u%04x' "'$c"
		fi
		out+=$c
	done
	printf '"%s"' "$out"
}

# $1 with XML's five special characters escaped.
rs_xml_escape() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' \
		-e "s/'/\\&apos;/g" <<<"$1" | sed -e ':a;N;$!ba;s/\n/\&#10;/g'
}

# The arguments as a shell would need them typed: plain words as they are,
# anything else in single quotes.
rs_quote_args() {
	local a out=""
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then
			out+=" $a"
		else
			out+=" '${a//\'/\'\\\'\'}'"
		fi
	done
	printf '%s' "${out# }"
}

# rs_with_lock FILE CMD...: CMD while holding an exclusive flock on FILE
# (waiting for it): two runs that share a build tree build one at a time.
rs_with_lock() {
	local file=$1
	shift
	(
		flock 8 || exit 1
		"$@"
	) 8>>"$file"
}
