# shellcheck shell=bash
# A distributed, erasure-coded MinIO on loopback, for the tests that run
# several Legajo nodes on one S3 cluster (cmd/legajo/cluster_test.go). Meant
# to be sourced (by .ci/run, or by hand):
#
#   source .ci/minio.sh; minio_start; go test -run Cluster ./cmd/legajo; minio_stop
#
# minio_start builds MinIO once (cached under ${TMPDIR:-/tmp}) and starts
# LEGAJO_MINIO_NODES (default 4) MinIO processes on 127.0.0.1, each with
# LEGAJO_MINIO_DRIVES (default 2) drives in fresh temporary directories: one
# erasure set of 8 drives, parity 4 (MinIO's default for 8), so that writing
# goes on with any three drives gone (one whole process and one drive of
# another). It exports
#
#   LEGAJO_TEST_MINIO=http://ACCESS:SECRET@127.0.0.1:PORT1/legajo-cluster
#       the first process's endpoint; the tests create their own buckets
#   LEGAJO_TEST_MINIO_DIR=<dir>
#       the cluster's directory: node<i>.port, node<i>.pid, drives
#       node<i>-d<j>, and node.sh, which starts node i again
#       (`bash $LEGAJO_TEST_MINIO_DIR/node.sh 2`) after a test killed it.
#
# minio_stop stops every process of the cluster (also one a test restarted)
# and removes its directory. Neither touches anything else.

# The module proxy's newest MinIO at the time of writing; @latest resolved to
# it. Built from source with the Go toolchain (no prebuilt binary is
# downloaded); the first build takes several minutes on 2 cores.
LEGAJO_MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

minio_start() {
	if [ -n "${LEGAJO_TEST_MINIO_DIR:-}" ]; then
		echo "minio_start: a cluster is already running ($LEGAJO_TEST_MINIO_DIR)" >&2
		return 1
	fi
	local cache="${TMPDIR:-/tmp}/legajo-minio-$LEGAJO_MINIO_VERSION"
	local bin="$cache/minio"
	if [ ! -x "$bin" ]; then
		echo "minio_start: building MinIO $LEGAJO_MINIO_VERSION (once; several minutes)" >&2
		local t0=$SECONDS
		# Built outside any module so that the project's go.mod is untouched.
		(cd "${TMPDIR:-/tmp}" && GOBIN="$cache" GOFLAGS=-mod=mod \
			go install "github.com/minio/minio@$LEGAJO_MINIO_VERSION") || {
			echo "minio_start: cannot build MinIO" >&2
			return 1
		}
		echo "minio_start: built in $((SECONDS - t0)) s" >&2
	fi
	# A port free when chosen may be taken before MinIO binds it (by
	# another program, or as the local port of an outgoing connection):
	# then the whole cluster is started again on other ports.
	local try
	for try in 1 2 3; do
		if minio_try "$bin"; then
			return 0
		fi
	done
	return 1
}

# minio_try starts the cluster once, on new ports and drives.
minio_try() {
	local bin=$1
	local nodes=${LEGAJO_MINIO_NODES:-4} drives=${LEGAJO_MINIO_DRIVES:-2}
	local dir
	dir=$(mktemp -d "${TMPDIR:-/tmp}/legajo-minio-cluster.XXXXXX") || return 1
	local access="legajo" secret="legajo-$RANDOM$RANDOM$RANDOM"

	# Free ports, one per process, then the endpoints every process is told.
	local i j f port ports=() endpoints=()
	for ((i = 1; i <= nodes; i++)); do
		while :; do
			# Below Linux's ephemeral ports (32768 and up by default),
			# which outgoing connections take.
			port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
			if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [[ " ${ports[*]} " != *" $port "* ]]; then
				break
			fi
		done
		ports+=("$port")
		echo "$port" >"$dir/node$i.port"
		for ((j = 1; j <= drives; j++)); do
			mkdir -p "$dir/node$i-d$j"
			endpoints+=("http://127.0.0.1:$port$dir/node$i-d$j")
		done
	done

	# node.sh starts process i detached (it outlives the shell that started
	# it, and a test that restarts it), recording its pid for minio_stop.
	# MINIO_CI_CD: no root-drive check, no colour; the memory and request
	# limits keep four processes small on a shared machine, and the slowest
	# background scanner leaves the cores to the rest of the suite. In a container
	# (/.dockerenv) MinIO waits for 127.0.0.1 to "resolve to a valid IP"
	# unless told which endpoints are its own: _MINIO_SERVER_LOCAL.
	cat >"$dir/node.sh" <<EOF
#!/usr/bin/env bash
i=\$1
port=\$(cat "$dir/node\$i.port")
_MINIO_SERVER_LOCAL="127.0.0.1:\$port" MINIO_ROOT_USER='$access' MINIO_ROOT_PASSWORD='$secret' MINIO_CI_CD=1 \\
MINIO_BROWSER=off MINIO_UPDATE=off MINIO_SCANNER_SPEED=slowest MINIO_API_REQUESTS_MAX=200 GOMAXPROCS=2 GOGC=50 GOMEMLIMIT=768MiB \\
	setsid "$bin" server --quiet --address "127.0.0.1:\$port" \\
	${endpoints[*]} >>"$dir/node\$i.log" 2>&1 </dev/null &
echo \$! >"$dir/node\$i.pid"
EOF
	for ((i = 1; i <= nodes; i++)); do
		bash "$dir/node.sh" "$i"
	done

	# Up when the cluster says it has write quorum.
	local up= dead=
	for i in $(seq 1 600); do # up to 60 s
		if minio_healthy "${ports[0]}"; then
			up=1
			break
		fi
		for f in "$dir"/node*.pid; do
			kill -0 "$(cat "$f")" 2>/dev/null || dead=1
		done
		[ -z "$dead" ] || break # one could not start: try again
		sleep 0.1
	done
	LEGAJO_TEST_MINIO_DIR=$dir
	if [ -z "$up" ]; then
		echo "minio_start: the MinIO cluster did not come up; its logs:" >&2
		tail -n 20 "$dir"/node*.log >&2
		minio_stop
		return 1
	fi
	export LEGAJO_TEST_MINIO_DIR
	export LEGAJO_TEST_MINIO="http://$access:$secret@127.0.0.1:${ports[0]}/legajo-cluster"
	echo "minio_start: MinIO $LEGAJO_MINIO_VERSION, $nodes processes × $drives drives on 127.0.0.1:${ports[*]} ($dir)" >&2
	return 0
}

# minio_healthy tells whether the process on port says the cluster has its
# write quorum (HTTP 200 from /minio/health/cluster), with bash alone.
minio_healthy() {
	local status
	status=$( (
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf 'GET /minio/health/cluster HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
		head -n 1 <&3
	) 2>/dev/null) || return 1
	[[ $status == "HTTP/1."?" 200"* ]]
}

minio_stop() {
	local dir=${LEGAJO_TEST_MINIO_DIR:-}
	if [ -n "$dir" ] && [ -d "$dir" ]; then
		local f pid
		for f in "$dir"/node*.pid; do
			[ -e "$f" ] || continue
			pid=$(cat "$f")
			kill "$pid" 2>/dev/null || true
		done
		for f in "$dir"/node*.pid; do
			[ -e "$f" ] || continue
			pid=$(cat "$f")
			for _ in $(seq 1 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -9 "$pid" 2>/dev/null || true
		done
		rm -rf "$dir"
	fi
	unset LEGAJO_TEST_MINIO LEGAJO_TEST_MINIO_DIR
	return 0
}
