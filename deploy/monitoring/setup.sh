#!/bin/sh
# One-shot setup of the monitoring stack (the compose "setup" service): sets the kibana_system password, creates
# the role and user Logstash writes with (only to logs-dicomhawk.*), then loads the template, ILM policy and
# dashboard with load.sh. Runs again harmlessly on every `up`.
set -eu
es=${ELASTICSEARCH_URL:-http://elasticsearch:9200}
: "${ELASTIC_PASSWORD:?}" "${KIBANA_PASSWORD:?}" "${LOGSTASH_PASSWORD:?}"
auth="elastic:$ELASTIC_PASSWORD"
json='Content-Type: application/json'

until curl -sS -f -u "$auth" -o /dev/null "$es/_cluster/health?wait_for_status=yellow&timeout=5s"; do sleep 2; done
curl -sS -f -u "$auth" -H "$json" -X POST "$es/_security/user/kibana_system/_password" -d "{\"password\":\"$KIBANA_PASSWORD\"}" >/dev/null
curl -sS -f -u "$auth" -H "$json" -X PUT "$es/_security/role/dicomhawk_writer" \
  -d '{"cluster":["monitor"],"indices":[{"names":["logs-dicomhawk.*"],"privileges":["create_doc","auto_configure"]}]}' >/dev/null
curl -sS -f -u "$auth" -H "$json" -X PUT "$es/_security/user/dicomhawk_logstash" \
  -d "{\"password\":\"$LOGSTASH_PASSWORD\",\"roles\":[\"dicomhawk_writer\"],\"full_name\":\"DICOMHawk Logstash\"}" >/dev/null
echo "setup: users and role ready" >&2
exec sh /monitoring/load.sh
