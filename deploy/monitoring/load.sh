#!/bin/sh
# Loads DICOMHawk's monitoring pieces into a running Elasticsearch (and Kibana):
#   the ILM policy "dicomhawk", the index template "dicomhawk" (data streams logs-dicomhawk.*-*),
#   and the Kibana saved objects (data view, visualizations, searches, the "DICOMHawk" dashboard).
# Idempotent: run it again after an upgrade.
#
#   ELASTIC_PASSWORD=... deploy/monitoring/load.sh
#
# ELASTICSEARCH_URL  default http://127.0.0.1:9200
# KIBANA_URL         default http://127.0.0.1:5601 ("none": skip the dashboard)
# ELASTIC_USER       default elastic
# ELASTIC_PASSWORD   required
# CURL_OPTS          extra curl options, e.g. "--cacert /path/ca.crt"
# WAIT_SECONDS       how long to wait for Elasticsearch and Kibana to answer (default 180)
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
es=${ELASTICSEARCH_URL:-http://127.0.0.1:9200}
kb=${KIBANA_URL:-http://127.0.0.1:5601}
user=${ELASTIC_USER:-elastic}
wait_s=${WAIT_SECONDS:-180}
: "${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD (the password of $user)}"
curl_opts=${CURL_OPTS:-}

say() { printf 'load.sh: %s\n' "$*" >&2; }

# curl with credentials; prints the body, fails on an HTTP error with the body on stderr.
call() {
  method=$1; url=$2; shift 2
  out=$(mktemp)
  # shellcheck disable=SC2086
  code=$(curl -sS $curl_opts -u "$user:$ELASTIC_PASSWORD" -X "$method" -o "$out" -w '%{http_code}' "$@" "$url") || { rm -f "$out"; say "cannot reach $url"; return 1; }
  if [ "$code" -lt 200 ] || [ "$code" -ge 300 ]; then
    say "$method $url answered HTTP $code: $(head -c 2000 "$out")"
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

wait_for() {
  name=$1; url=$2
  end=$(( $(date +%s) + wait_s ))
  # shellcheck disable=SC2086
  until curl -sS $curl_opts -u "$user:$ELASTIC_PASSWORD" -o /dev/null -f "$url" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$end" ]; then say "$name did not answer at $url within ${wait_s}s"; exit 1; fi
    sleep 2
  done
}

wait_for Elasticsearch "$es/_cluster/health?wait_for_status=yellow&timeout=5s"
call PUT "$es/_ilm/policy/dicomhawk" -H 'Content-Type: application/json' --data-binary "@$here/elasticsearch/ilm-policy.json" >/dev/null
say "ILM policy dicomhawk loaded"
call PUT "$es/_index_template/dicomhawk" -H 'Content-Type: application/json' --data-binary "@$here/elasticsearch/index-template.json" >/dev/null
say "index template dicomhawk loaded (data streams logs-dicomhawk.*-*)"

if [ "$kb" = none ]; then exit 0; fi
wait_for Kibana "$kb/api/status"
result=$(call POST "$kb/api/saved_objects/_import?overwrite=true" -H 'kbn-xsrf: true' --form "file=@$here/kibana/dicomhawk.ndjson")
case $result in
  *'"success":true'*) say "Kibana dashboard DICOMHawk loaded" ;;
  *) say "Kibana refused the saved objects: $(printf '%s' "$result" | head -c 2000)"; exit 1 ;;
esac
