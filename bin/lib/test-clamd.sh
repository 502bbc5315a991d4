# Sourced by .ci/run (start_test_clamd) and bin/lib/test-services.sh (the socket's path): a clamd
# for the virus-scanning tests, loading only the repository's own signature database
# (tests/clamav/portal-test.ndb, which detects the EICAR test file), since CI machines cannot
# download ClamAV's. It listens on a unix socket under CLAMD_TEST_DIR and keeps running after the
# tests, like the other services .ci/run starts.

CLAMD_TEST_DIR="${CLAMD_TEST_DIR:-/tmp/portal-test-clamd}"
CLAMD_TEST_SOCKET_PATH="$CLAMD_TEST_DIR/clamd.sock"

clamd_answers() { # socket path: true when clamd answers PING with PONG
  python3 - "$1" 2>/dev/null <<'PY'
import socket, sys
connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
connection.settimeout(3)
connection.connect(sys.argv[1])
connection.sendall(b"zPING\0")
sys.exit(0 if connection.recv(16).startswith(b"PONG") else 1)
PY
}

start_test_clamd() {
  clamd_answers "$CLAMD_TEST_SOCKET_PATH" && return 0
  mkdir -p "$CLAMD_TEST_DIR/db"
  rm -f "$CLAMD_TEST_DIR"/db/* "$CLAMD_TEST_SOCKET_PATH"
  cp tests/clamav/*.ndb "$CLAMD_TEST_DIR/db/"
  cat >"$CLAMD_TEST_DIR/clamd.conf" <<CONF
LocalSocket $CLAMD_TEST_SOCKET_PATH
DatabaseDirectory $CLAMD_TEST_DIR/db
PidFile $CLAMD_TEST_DIR/clamd.pid
LogFile $CLAMD_TEST_DIR/clamd.log
TemporaryDirectory $CLAMD_TEST_DIR
User $(id -un)
StreamMaxLength 64M
MaxThreads 4
CONF
  clamd --config-file="$CLAMD_TEST_DIR/clamd.conf"
  for _ in $(seq 1 60); do
    clamd_answers "$CLAMD_TEST_SOCKET_PATH" && return 0
    sleep 1
  done
  echo "clamd did not start: see $CLAMD_TEST_DIR/clamd.log" >&2
  return 1
}
