# shellcheck shell=bash
# Versity Gateway, a real S3 server for the archive tests. Meant to be
# sourced (by .ci/run, or by hand):
#
#   source .ci/s3.sh; s3_start; go test -race ./archive/...; s3_stop
#
# LEGAJO_VERSITYGW_FLAGS adds flags to the gateway's (the load benchmark
# uses --keep-alive, as a production gateway should run; see BENCHMARKS.md).
#
# s3_start builds versitygw once (cached under ${TMPDIR:-/tmp}), serves two
# fresh temporary directories (objects and versions) on 127.0.0.1 only, and
# exports LEGAJO_TEST_S3=http://ACCESS:SECRET@127.0.0.1:PORT/legajo-test, the
# endpoint on which each test creates its own buckets. s3_stop stops that
# server and removes its directories. Neither touches anything else.

LEGAJO_VERSITYGW_VERSION=v1.8.0

s3_start() {
	if [ -n "${LEGAJO_S3_PID:-}" ]; then
		echo "s3_start: versitygw already running (pid $LEGAJO_S3_PID)" >&2
		return 1
	fi
	local cache="${TMPDIR:-/tmp}/legajo-versitygw-$LEGAJO_VERSITYGW_VERSION"
	local bin="$cache/versitygw"
	if [ ! -x "$bin" ]; then
		echo "s3_start: building versitygw $LEGAJO_VERSITYGW_VERSION (once)" >&2
		# Built outside any module so that the project's go.mod is untouched.
		(cd "${TMPDIR:-/tmp}" && GOBIN="$cache" GOFLAGS=-mod=mod \
			go install "github.com/versity/versitygw/cmd/versitygw@$LEGAJO_VERSITYGW_VERSION") || {
			echo "s3_start: cannot build versitygw" >&2
			return 1
		}
	fi

	LEGAJO_S3_DATA=$(mktemp -d "${TMPDIR:-/tmp}/legajo-s3-data.XXXXXX") || return 1
	LEGAJO_S3_VERSIONS=$(mktemp -d "${TMPDIR:-/tmp}/legajo-s3-versions.XXXXXX") || return 1
	local access="legajo" secret="legajo-$RANDOM$RANDOM$RANDOM"
	local log="$LEGAJO_S3_DATA.log"

	# Pick a free port; if another process takes it first, versitygw exits
	# and the next attempt picks another.
	local try port pid up
	for try in 1 2 3 4 5; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			continue # in use
		fi
		# shellcheck disable=SC2086 # LEGAJO_VERSITYGW_FLAGS is a list of flags
		"$bin" --port "127.0.0.1:$port" --access "$access" --secret "$secret" --quiet ${LEGAJO_VERSITYGW_FLAGS:-} \
			posix --versioning-dir "$LEGAJO_S3_VERSIONS" "$LEGAJO_S3_DATA" >"$log" 2>&1 &
		pid=$!
		up=
		local i
		for i in $(seq 1 300); do # up to 30 s
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				up=1
				break
			fi
			sleep 0.1
		done
		if [ -n "$up" ]; then
			LEGAJO_S3_PID=$pid
			LEGAJO_S3_LOG=$log
			export LEGAJO_TEST_S3="http://$access:$secret@127.0.0.1:$port/legajo-test"
			echo "s3_start: versitygw $LEGAJO_VERSITYGW_VERSION on 127.0.0.1:$port (pid $pid, data $LEGAJO_S3_DATA)" >&2
			return 0
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	echo "s3_start: versitygw did not come up; its log:" >&2
	tail -n 30 "$log" >&2
	rm -rf "$LEGAJO_S3_DATA" "$LEGAJO_S3_VERSIONS" "$log"
	unset LEGAJO_S3_DATA LEGAJO_S3_VERSIONS
	return 1
}

s3_stop() {
	if [ -n "${LEGAJO_S3_PID:-}" ]; then
		kill "$LEGAJO_S3_PID" 2>/dev/null
		wait "$LEGAJO_S3_PID" 2>/dev/null
	fi
	[ -n "${LEGAJO_S3_DATA:-}" ] && rm -rf "$LEGAJO_S3_DATA" "$LEGAJO_S3_DATA.log"
	[ -n "${LEGAJO_S3_VERSIONS:-}" ] && rm -rf "$LEGAJO_S3_VERSIONS"
	unset LEGAJO_S3_PID LEGAJO_S3_DATA LEGAJO_S3_VERSIONS LEGAJO_S3_LOG LEGAJO_TEST_S3
	return 0
}
