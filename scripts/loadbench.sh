#!/usr/bin/env bash
# Load-tests doppel serve beside a bare net/http server that writes the same
# JSON, on this machine, with wrk; prints requests/s and p50/p99 side by side,
# then doppel's start-up time to its first answer and its memory with
# 100 000 seeded customers.
# Usage: scripts/loadbench.sh [seconds per run]   (needs wrk: apt-get install wrk)
set -euo pipefail
secs=${1:-5}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "loadbench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/doppel" ./cmd/doppel
go build -o "$tmp/barejson" ./cmd/barejson

D=127.0.0.1:4510 B=127.0.0.1:4511
"$tmp/doppel" serve --addr $D --seed 1 >"$tmp/doppel.log" 2>&1 &
for _ in $(seq 100); do curl -fs "http://$D/__doppel/health" >/dev/null && break; sleep 0.05; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
anon=$(curl -fs "http://$D/customerlogin/auth/anonymous/login?tenant=bench&client_id=wrk" | json access_token)
curl -fs -X POST "http://$D/customer/bench/signup" -H "Authorization: Bearer $anon" -H 'Content-Type: application/json' \
  -d '{"email":"load@example.com","password":"secret","customerDetails":{"firstName":"Lo","lastName":"Ad"}}' >/dev/null
login_body='{"email":"load@example.com","password":"secret"}'
address_body='{"contactName":"Lo Ad","street":"Platz der Republik","streetNumber":"1","zipCode":"11011","city":"Berlin","country":"DE","tags":["BILLING"]}'
curl -fs -X POST "http://$D/customer/bench/login" -H "Authorization: Bearer $anon" -H 'Content-Type: application/json' -d "$login_body" >"$tmp/login.json"
cust=$(json access_token <"$tmp/login.json")
curl -fs "http://$D/customer/bench/me" -H "Authorization: Bearer $cust" >"$tmp/me.json"
echo '{"id":"0123456789"}' >"$tmp/address.json"

post_script() { # method, body, token -> lua file
  cat >"$tmp/$1.lua" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $3"
LUA
  echo "$tmp/$1.lua"
}
login_lua=$(post_script login "$login_body" "$anon")
address_lua=$(post_script address "$address_body" "$cust")

# run NAME URL CONNECTIONS [LUA] -> "rps p50 p99"
run() {
  local out
  out=$(wrk -t1 -c"$3" -d"${secs}s" --latency ${4:+-s "$4"} -H "Authorization: Bearer $cust" "$2")
  echo "$out" | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$5} END {printf "%s %s %s %s", rps, p50, p99, bad}'
}

bare() { # BODYFILE STATUS: restart the bare server with another body
  if [ -n "${bare_pid:-}" ]; then kill "$bare_pid"; wait "$bare_pid" 2>/dev/null || true; fi
  "$tmp/barejson" -addr $B -body "$1" -status "$2" & bare_pid=$!
  for _ in $(seq 100); do curl -s "http://$B/" >/dev/null && break; sleep 0.05; done
}

printf '%-26s %12s %12s %7s   %-19s %-19s\n' "workload (wrk -t1)" "doppel rps" "bare rps" "ratio" "doppel p50 / p99" "bare p50 / p99"
row() { # label doppelURL conns lua bodyfile status
  local d b
  bare "$5" "$6"
  d=($(run doppel "http://$D$2" "$3" "$4")); b=($(run bare "http://$B$2" "$3" "$4"))
  printf '%-26s %12s %12s %6.0f%%   %-19s %-19s %s\n' "$1" "${d[0]}" "${b[0]}" \
    "$(python3 -c "print(100*${d[0]}/${b[0]})")" "${d[1]} / ${d[2]}" "${b[1]} / ${b[2]}" "${d[3]:+(doppel non-2xx: ${d[3]})}"
}
row "GET /me, 16 connections" /customer/bench/me 16 "" "$tmp/me.json" 200
row "GET /me, 1 connection" /customer/bench/me 1 "" "$tmp/me.json" 200
row "POST login, 16 conns" /customer/bench/login 16 "$login_lua" "$tmp/login.json" 200
row "POST address, 16 conns" /customer/bench/me/addresses 16 "$address_lua" "$tmp/address.json" 201
echo "(request validation on; $(nproc) cores shared by server and wrk; ${secs}s per run; $(grep -o 'ready in [^)]*' "$tmp/doppel.log"))"

# first_answer PORT ARGS...: sets ms to the milliseconds from starting doppel
# serve on PORT (each run its own, so that no older server answers) to its
# first answer, and pid to the server, left running.
first_answer() {
  local t0 t1 port=$1
  shift
  t0=$(date +%s%N)
  "$tmp/doppel" serve --addr "127.0.0.1:$port" "$@" >/dev/null 2>&1 & pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/__doppel/health"; do
    kill -0 "$pid" 2>/dev/null || { echo "loadbench: doppel serve $* exited" >&2; exit 1; }
    sleep 0.002
  done
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
starts=()
for i in 1 2 3 4 5; do first_answer $((4520 + i)) --seed 1; starts+=("$ms"); stop; done
median=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)
echo
echo "start-up to first answer (personas only): median ${median} ms of 5 (${starts[*]} ms)"
first_answer 4530 --seed 1 --customers 33334
rss=$(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
echo "100 002 customers (--customers 33334, over three faces): first answer after ${ms} ms, RSS ${rss}"
stop
