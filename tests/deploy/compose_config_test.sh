#!/usr/bin/env bash
# deploy/docker-compose.yml is a valid compose file (Debian's docker-compose parses and checks it; no
# engine is needed), and names the services the README promises.
set -euo pipefail
source_dir=$1
compose="$source_dir/deploy/docker-compose.yml"
command -v docker-compose >/dev/null || { echo "docker-compose is not installed (scripts/install-deps.sh --tests)"; exit 1; }
docker-compose -f "$compose" config -q
services=$(docker-compose -f "$compose" config --services | sort | tr '\n' ' ')
expected="cloud edge1 edge2 receiver1 receiver2 sender "
[ "$services" = "$expected" ] || { echo "services are '$services', expected '$expected'"; exit 1; }
# The sample the sender publishes is in the repository.
[ -s "$source_dir/deploy/sample/greeting.txt" ] || { echo "deploy/sample/greeting.txt is missing"; exit 1; }
echo "compose file valid: $services"
