# test: elasticctl -j status prints one valid JSON object with the node's facts
. tests/cluster/lib.sh
cluster_setup
json=$(on 3 userspace/elasticctl/elasticctl -j status)
release=$(on 3 uname -r)
/usr/bin/python3 - "$json" "$release" <<'PY' || fail "bad JSON: $json"
import json, sys
o = json.loads(sys.argv[1])
assert o["node_id"] == 3, o
assert o["release"] == sys.argv[2], o
assert isinstance(o["bad_input"], int) and o["bad_input"] >= 0, o
assert o["version"], o
PY
