# Sourced by bin/test and bin/check: point the Redis, RabbitMQ and clamd integration tests at the
# machine's servers. With REQUIRE_SERVICES=1 (CI) they are always pointed there, so a server
# that is down fails those tests instead of skipping them; otherwise only servers that answer.

service_up() { # host port
  .venv/bin/python -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)" "$1" "$2" 2>/dev/null
}

if [ "${REQUIRE_SERVICES:-0}" = 1 ] || service_up 127.0.0.1 6379; then
  export REDIS_TEST_URL="${REDIS_TEST_URL:-redis://127.0.0.1:6379/15}"
fi
if [ "${REQUIRE_SERVICES:-0}" = 1 ] || service_up 127.0.0.1 5672; then
  export RABBITMQ_TEST_URL="${RABBITMQ_TEST_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}"
fi
# The test clamd (.ci/run starts it; locally: source bin/lib/test-clamd.sh && start_test_clamd).
source bin/lib/test-clamd.sh
if [ "${REQUIRE_SERVICES:-0}" = 1 ] || clamd_answers "$CLAMD_TEST_SOCKET_PATH"; then
  export CLAMD_TEST_SOCKET="${CLAMD_TEST_SOCKET:-$CLAMD_TEST_SOCKET_PATH}"
fi
