# shellcheck shell=bash
# ci/lib.sh - shared by the ci/ scripts (and fio/, fixtures/refstor-fixture): repo
# paths, logging, timed steps, JSON in and out.

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

# rs_parallel LABEL CMD... [-- LABEL CMD...]...: the commands side by side,
# each one's output in $RS_BUILD/parallel/LABEL.log; a PASS or FAIL line
# each (a failure's log tail after it); fails if any failed.  For steps whose
# length is set by a clock (fuzzing for N seconds), not by work: side by side
# they take the longest one's time instead of the sum.
# The NBD peers' servers still running (zombies aside), one per line: what
# nothing that runs ports/nbd may leave behind (ci/test, ci/peers).  The
# kernel keeps 15 characters of a program's name.
rs_peer_servers() {
	ps -eo pid=,stat=,comm=,args= | awk '$3 ~ /^(qemu-storage-da|nbdkit)$/ && $2 !~ /^Z/'
}

rs_parallel() {
	local labels=() pids=() cmd=() rc=0 i log
	mkdir -p "$RS_BUILD/parallel"
	while [ $# -gt 0 ]; do
		labels+=("$1")
		shift
		cmd=()
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			cmd+=("$1")
			shift
		done
		[ $# -gt 0 ] && shift
		"${cmd[@]}" >"$RS_BUILD/parallel/${labels[-1]}.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		log=$RS_BUILD/parallel/${labels[$i]}.log
		if wait "${pids[$i]}"; then
			echo "PASS  ${labels[$i]}: $(tail -1 "$log")"
		else
			rc=1
			echo "FAIL  ${labels[$i]} (log: $log):"
			tail -25 "$log"
		fi
	done
	return $rc
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
# escaped): the one JSON string writer of the shell scripts, rs_json_get
# below their one reader.
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

# rs_json_get FILE|- KEY...: the values of the KEYs in each JSON object of
# FILE (- for stdin), one line each, in the order asked: with one KEY, one
# line per object.  The input is one JSON document (a tool's --json output)
# or JSON Lines (a results file, one object per line); empty input prints
# nothing.  A string prints as it is (bytes that are not UTF-8 too),
# anything else as JSON (4096, null).  This is the one way the scripts read
# what the programs write, so that no value is split on tabs, guessed from
# key=value lines or passed through eval.  Exit 1, saying where, on input
# that is not JSON, an object without a KEY, or a value with a line break
# (it would read as two values) or a NUL (bash cannot hold one); the values
# before the error are printed.
rs_json_get() {
	[ $# -ge 2 ] || { echo "usage: rs_json_get FILE|- KEY..." >&2; return 2; }
	# -S: no site-packages to look through, so python3 starts sooner (this
	# runs once per backend and per run).
	python3 -S -c '
import json, sys
src, keys = sys.argv[1], sys.argv[2:]
name = "stdin" if src == "-" else src
def fail(why):
    sys.stdout.buffer.flush()
    sys.exit("rs_json_get: %s: %s" % (name, why))
try:
    data = sys.stdin.buffer.read() if src == "-" else open(src, "rb").read()
except OSError as e:
    fail(e.strerror)
text = data.decode("utf-8", "surrogateescape")
dec, pos, line, counted = json.JSONDecoder(), 0, 1, 0
while True:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    if pos == len(text):
        break
    line += text.count("\n", counted, pos)
    counted = pos
    try:
        obj, pos = dec.raw_decode(text, pos)
    except ValueError as e:
        fail("not JSON: %s" % e)
    if not isinstance(obj, dict):
        fail("line %d: not a JSON object" % line)
    for key in keys:
        if key not in obj:
            fail("line %d: no key %s" % (line, json.dumps(key)))
        v = obj[key]
        v = v if isinstance(v, str) else json.dumps(v)
        if any(c in v for c in "\n\r\0"):
            fail("line %d: the value of %s has a line break or NUL" % (line, json.dumps(key)))
        try:
            out = v.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone \ud800-style escape
            out = v.encode("utf-8", "backslashreplace")
        sys.stdout.buffer.write(out + b"\n")
' "$@"
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

# rs_error_report OUT REASON [KEY=VALUE...]: OUT/report.json, report.md and
# junit.xml of a run that could not happen (ERROR, exit status 2), in the
# shape the suite's reporter writes (docs/ci.md), naming what is known of the
# run: written where the reporter itself may not exist (a failed build).
rs_error_report() {
	local out=$1 why=$2 kv k v js="" md="" props=""
	shift 2
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		js+="${js:+, }$(rs_json_string "$k"): $(rs_json_string "$v")"
		md+="$k: $v  "$'\n'
		props+="      <property name=\"$(rs_xml_escape "$k")\" value=\"$(rs_xml_escape "$v")\"/>"$'\n'
	done
	printf '{\n  "verdict": {"name": "ERROR", "exit_status": 2, "why": [%s]},\n  "run": {%s},\n  "summary": {},\n  "runs": [],\n  "clauses": [],\n  "tests": []\n}\n' \
		"$(rs_json_string "$why")" "$js" >"$out/report.json"
	printf '# refstor conformance report\n\n**Verdict: ERROR**\n\n%s\n- %s\n' "$md" "$why" >"$out/report.md"
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="refstor-conformance">\n  <testsuite name="refstor-conformance.verdict" tests="1" failures="0" errors="1">\n    <properties>\n%s    </properties>\n    <testcase classname="refstor-conformance" name="verdict">\n      <error message="ERROR">%s</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n' \
		"$props" "$(rs_xml_escape "$why")" >"$out/junit.xml"
}
