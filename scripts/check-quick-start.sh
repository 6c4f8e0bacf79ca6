#!/usr/bin/env bash
# Runs the README's demo command as written (`pnpm demo`) and checks that the demo answers: the page,
# a billed request, and a clean stop. Uses a free port and a throw-away SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
data=$(mktemp -d)
log="$data/demo.log"
PORT=$port DATABASE_URL="$data/demo.sqlite" MONGODB_URL= setsid pnpm demo >"$log" 2>&1 &
pid=$!
cleanup() { kill -TERM -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "quick start: pnpm demo exited early"; cat "$log"; exit 1; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/" | grep -q '<div id="root">' || { echo "quick start: no dashboard page"; cat "$log"; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-API-Key: demo-free' "http://127.0.0.1:$port/api/fetch-data")
[ "$status" = 200 ] || { echo "quick start: /api/fetch-data answered $status"; cat "$log"; exit 1; }
echo "quick start: pnpm demo serves the dashboard and a billed API on port $port"
