# shellcheck shell=bash
# fio/lib.sh - shared by fio/ci-smoke and fio/bench: building the engine and
# bringing fixtures up and (only those we brought up) down again.

# shellcheck source=ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../ci/lib.sh"

# The scripts change directory: a relative $RS_BUILD must not move with them.
RS_BUILD=$(realpath -m "$RS_BUILD")
RSF_DIR=$RS_TOP/fio
RSF_FIXTURE=$RS_TOP/fixtures/refstor-fixture
# A root of our own: never lean on (or take down) anyone else's fixtures.
export REFSTOR_FIXTURE_ROOT=${REFSTOR_FIXTURE_ROOT:-/var/tmp/refstor-fio}
# The engine's own build tree: a RelWithDebInfo build of librefstor plus the
# engine, nothing else.  The conformance tree is configured (no tests) so
# that fio/ci-smoke can build one self-test mutant in it (rsf_build_target),
# but only the targets asked for are built.
RSF_BUILD=${RSF_BUILD:-$RS_BUILD/fio}
RSF_ENGINE=$RSF_BUILD/fio/librefstor-fio.so
# The reference as a shared object with the refstor ABI, for refstor_impl=.
RSF_REF_SO=$RSF_BUILD/ref/librefstor.so.1

# rsf_build_engine: fetch/configure fio's source if needed, then configure and
# build the engine.  Sets RSF_FIO_SRC.  Returns 0, 77 (SKIP, reason on
# stderr) or 1; logs under $RSF_BUILD.*.log.
rsf_build_engine() {
	RSF_FIO_SRC=$("$RSF_DIR/fetch-fio-src") || return
	mkdir -p "$RSF_BUILD"
	cmake -S "$RS_TOP" -B "$RSF_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DREFSTOR_FIO_SRC="$RSF_FIO_SRC" -DREFSTOR_BUILD_FIO=ON \
		-DREFSTOR_BUILD_CONFORMANCE=ON -DREFSTOR_BUILD_SELFTEST=ON -DBUILD_TESTING=OFF \
		>"$RSF_BUILD.configure.log" 2>&1 || { cat "$RSF_BUILD.configure.log" >&2; return 1; }
	if ! grep -q 'fio engine: building' "$RSF_BUILD.configure.log"; then
		grep 'fio engine:' "$RSF_BUILD.configure.log" >&2
		return 1
	fi
	: >"$RSF_BUILD.build.log"
	rsf_build_target refstor-fio && [ -f "$RSF_ENGINE" ]
}

# rsf_build_target TARGET...: build those targets of the engine's tree
# (configured by rsf_build_engine); log in $RSF_BUILD.build.log.
rsf_build_target() {
	local t args=()
	for t in "$@"; do args+=(--target "$t"); done
	cmake --build "$RSF_BUILD" -j "$RS_JOBS" "${args[@]}" >>"$RSF_BUILD.build.log" 2>&1 ||
		{ grep -E 'error|warning' "$RSF_BUILD.build.log" >&2 || tail -40 "$RSF_BUILD.build.log" >&2; return 1; }
}

# Fixtures.  rsf_up NAME sets RSF_PATH and returns 0, or returns 77 with the
# reason in RSF_SKIP_WHY, or 1.  A fixture that was already up (someone else's)
# is used but left up; what we bring up, rsf_down_all takes down.
RSF_BROUGHT_UP=()
rsf_up() {
	local name=$1 err rc=0
	RSF_PATH=''
	RSF_SKIP_WHY=''
	if RSF_PATH=$("$RSF_FIXTURE" info "$name" --json 2>/dev/null | rs_json_get - path 2>/dev/null) &&
		[ -n "$RSF_PATH" ]; then
		return 0
	fi
	err=$(mktemp)
	RSF_PATH=$("$RSF_FIXTURE" up "$name" 2>"$err") || rc=$?
	RSF_SKIP_WHY=$(sed 's/^SKIP: //' "$err")
	rm -f "$err"
	# Recorded even on failure: a half-made backend is ours to remove.
	RSF_BROUGHT_UP+=("$name")
	[ "$rc" -eq 0 ] && [ -n "$RSF_PATH" ] && return 0
	[ "$rc" -eq 77 ] && return 77
	[ -n "$RSF_SKIP_WHY" ] || RSF_SKIP_WHY="refstor-fixture up $name failed (exit $rc)"
	return 1
}

rsf_down_all() {
	local n
	for n in "${RSF_BROUGHT_UP[@]}"; do
		"$RSF_FIXTURE" down "$n" >/dev/null 2>&1 || echo "warning: refstor-fixture down $n failed" >&2
	done
	RSF_BROUGHT_UP=()
}

# The fio command line of the engine, for a job's ioengine=.
rsf_engine_opt() { echo "external:$RSF_ENGINE"; }
