# shellcheck shell=bash
# Mailpit, a real SMTP server for the e-mail tests. Meant to be sourced
# (by .ci/run, or by hand):
#
#   source .ci/mail.sh; mail_start; go test ./mail/... ./web/...; mail_stop
#
# mail_start builds mailpit once (cached under ${TMPDIR:-/tmp}), makes a
# self-signed certificate for 127.0.0.1 so that STARTTLS is offered, and
# serves SMTP and its HTTP API on 127.0.0.1 only, accepting any login over
# plain text too (the tests check both). It exports
#   LEGAJO_TEST_SMTP=127.0.0.1:PORT          the SMTP server
#   LEGAJO_TEST_SMTP_CA=<file>               the certificate to trust for STARTTLS
#   LEGAJO_TEST_MAILPIT_API=http://127.0.0.1:PORT   where the tests read what arrived
# mail_stop stops that server and removes its files. Neither touches
# anything else.

LEGAJO_MAILPIT_VERSION=v1.33.1

mail_start() {
	if [ -n "${LEGAJO_MAIL_PID:-}" ]; then
		echo "mail_start: mailpit already running (pid $LEGAJO_MAIL_PID)" >&2
		return 1
	fi
	local cache="${TMPDIR:-/tmp}/legajo-mailpit-$LEGAJO_MAILPIT_VERSION"
	local bin="$cache/mailpit"
	if [ ! -x "$bin" ]; then
		echo "mail_start: building mailpit $LEGAJO_MAILPIT_VERSION (once)" >&2
		# Built outside any module so that the project's go.mod is untouched.
		(cd "${TMPDIR:-/tmp}" && GOBIN="$cache" GOFLAGS=-mod=mod \
			go install "github.com/axllent/mailpit@$LEGAJO_MAILPIT_VERSION") || {
			echo "mail_start: cannot build mailpit" >&2
			return 1
		}
	fi
	LEGAJO_MAIL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/legajo-mail.XXXXXX") || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" \
		-keyout "$LEGAJO_MAIL_DIR/key.pem" -out "$LEGAJO_MAIL_DIR/cert.pem" >/dev/null 2>&1 || {
		echo "mail_start: cannot make a certificate (openssl)" >&2
		rm -rf "$LEGAJO_MAIL_DIR"
		return 1
	}
	local log="$LEGAJO_MAIL_DIR/mailpit.log"
	local try smtp http pid up i
	for try in 1 2 3 4 5; do
		smtp=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		http=$((smtp + 1))
		if (exec 3<>"/dev/tcp/127.0.0.1/$smtp") 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null; then
			continue # in use
		fi
		"$bin" --smtp "127.0.0.1:$smtp" --listen "127.0.0.1:$http" \
			--database "$LEGAJO_MAIL_DIR/mailpit.db" --disable-version-check --quiet \
			--smtp-tls-cert "$LEGAJO_MAIL_DIR/cert.pem" --smtp-tls-key "$LEGAJO_MAIL_DIR/key.pem" \
			--smtp-auth-accept-any --smtp-auth-allow-insecure >"$log" 2>&1 &
		pid=$!
		up=
		for i in $(seq 1 300); do # up to 30 s
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if (exec 3<>"/dev/tcp/127.0.0.1/$smtp") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null; then
				up=1
				break
			fi
			sleep 0.1
		done
		if [ -n "$up" ]; then
			LEGAJO_MAIL_PID=$pid
			export LEGAJO_TEST_SMTP="127.0.0.1:$smtp"
			export LEGAJO_TEST_SMTP_CA="$LEGAJO_MAIL_DIR/cert.pem"
			export LEGAJO_TEST_MAILPIT_API="http://127.0.0.1:$http"
			echo "mail_start: mailpit $LEGAJO_MAILPIT_VERSION, SMTP 127.0.0.1:$smtp, API $LEGAJO_TEST_MAILPIT_API (pid $pid)" >&2
			return 0
		fi
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	echo "mail_start: mailpit did not come up; its log:" >&2
	tail -n 30 "$log" >&2
	rm -rf "$LEGAJO_MAIL_DIR"
	unset LEGAJO_MAIL_DIR
	return 1
}

mail_stop() {
	if [ -n "${LEGAJO_MAIL_PID:-}" ]; then
		kill "$LEGAJO_MAIL_PID" 2>/dev/null
		wait "$LEGAJO_MAIL_PID" 2>/dev/null
	fi
	[ -n "${LEGAJO_MAIL_DIR:-}" ] && rm -rf "$LEGAJO_MAIL_DIR"
	unset LEGAJO_MAIL_PID LEGAJO_MAIL_DIR LEGAJO_TEST_SMTP LEGAJO_TEST_SMTP_CA LEGAJO_TEST_MAILPIT_API
	return 0
}
