#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer on this machine; start them if not.
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting RabbitMQ" >&2
  rabbitmq-server -detached
  rabbitmqctl -q wait --timeout 60 /var/lib/rabbitmq/mnesia/rabbit@$(hostname -s).pid >/dev/null 2>&1 \
    || sleep 5
fi
for _ in $(seq 1 60); do
  if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then exit 0; fi
  sleep 1
done
echo "RabbitMQ is not answering on 127.0.0.1:5672" >&2
exit 1
