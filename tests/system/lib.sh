# Shared helpers of the system-test lanes (sourced by qemu-lane, bochs-lane).
# shellcheck shell=bash

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
BUILD=${BUILD:-build}
export BUILD
# Lines of serial log a failing case shows.
TAIL_LINES=${TAIL_LINES:-30}

# Build what a lane boots. Prints a FAIL line and returns 1 if make fails.
build_for() {
	local lane=$1 out
	shift
	if ! out=$(make -s --no-print-directory BUILD="$BUILD" "$@" 2>&1); then
		echo "FAIL $lane/build: make $* failed"
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/    | /'
		return 1
	fi
	[ -z "$out" ] || printf '%s\n' "$out"
}

# strip_ansi IN OUT: the serial log without terminal escapes and CRs.
strip_ansi() {
	sed -E 's/\x1b\[[0-9;?=]*[A-Za-z]//g; s/\x1b[()][A-Za-z0-9]//g;
		s/\x1b[=>cM78]//g; s/\r//g' "$1" >"$2"
}

# check_order LOG EXPECT: every non-empty line of EXPECT is a literal
# substring of LOG, each found after the end of the previous match. Prints
# what was not found and returns 1.
check_order() {
	awk -v expfile="$2" '
	{ text = text $0 "\n" }
	END {
		pos = 1
		prev = ""
		while ((getline e < expfile) > 0) {
			if (e == "")
				continue
			i = index(substr(text, pos), e)
			if (i == 0) {
				if (prev == "")
					printf "expected \"%s\" not found\n", e
				else if (index(text, e))
					printf "expected \"%s\" only before \"%s\"\n", e, prev
				else
					printf "expected \"%s\" not found (after \"%s\")\n", e, prev
				exit 1
			}
			pos += i - 1 + length(e)
			prev = e
		}
	}' "$1"
}

# has_exit LOG V: LOG holds "tandem: guest exit V" not followed by a
# letter or digit (so that 1 does not match 10 or 0x1).
has_exit() {
	grep -Eq "tandem: guest exit $2([^0-9A-Za-z]|\$)" "$1"
}

# show_tail FILE: its last lines, indented, for a failure report.
show_tail() {
	[ -s "$1" ] || { echo "    | (empty)"; return; }
	tail -n "$TAIL_LINES" "$1" | sed 's/^/    | /'
}

# report OUTFILE: print a case's buffered report in one piece, so that
# parallel cases never interleave their lines.
report() {
	flock "$LANE_LOCK" cat "$1"
}

# run_parallel JOBS SELF CASE...: run "SELF --one CASE" for each case, JOBS
# at a time.
run_parallel() {
	local jobs=$1 self=$2
	shift 2
	[ $# -gt 0 ] || return 0
	LANE_LOCK=$(mktemp "${TMPDIR:-/tmp}/tandem-lane.XXXXXX")
	export LANE_LOCK
	printf '%s\0' "$@" | xargs -0 -n 1 -P "$jobs" "$self" --one
	local rc=$?
	rm -f "$LANE_LOCK"
	return $rc
}
