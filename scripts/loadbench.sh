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

# first_answer PORT PATH ARGS...: sets ms to the milliseconds from starting
# doppel serve on PORT (each run its own, so that no older server answers) to
# its first answer on PATH, and pid to the server, left running. The poller is
# one Python process started beforehand: a curl per attempt would take the
# CPU doppel needs to start.
first_answer() {
  local port=$1 path=$2 out
  shift 2
  out=$(python3 - "$port" "$path" "$tmp/doppel" serve --addr "127.0.0.1:$port" "$@" <<'PY'
import subprocess, sys, time, urllib.error, urllib.request
port, path, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read()
        break
    except urllib.error.HTTPError:
        break  # an answer all the same
    except OSError:
        if p.poll() is not None:
            sys.exit(f"loadbench: doppel serve {' '.join(cmd[2:])} exited")
        time.sleep(0.001)
print(round((time.monotonic() - t0) * 1000), p.pid)
PY
  )
  read -r ms pid <<<"$out"
}
stop() { kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done; } # not our child: python's
kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
# median5 PATH: median of five start-ups to the first answer on PATH
median5() {
  local all=() i
  for i in 1 2 3 4 5; do first_answer $((4520 + i)) "$1" --seed 1; all+=("$ms"); stop; done
  median=$(printf '%s\n' "${all[@]}" | sort -n | sed -n 3p)
  starts="${all[*]}"
}
echo
median5 /__doppel/health
echo "start-up to first answer (personas only): median ${median} ms of 5 (${starts} ms)"
median5 "/customerlogin/auth/anonymous/login?tenant=demo&client_id=bench"
echo "start-up to first Emporix answer, its contract compiled: median ${median} ms of 5 (${starts} ms)"
first_answer 4530 /__doppel/health --seed 1 --customers 33334
rss=$(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
echo "100 002 customers (--customers 33334, over three faces): first answer after ${ms} ms, RSS ${rss}"
stop
