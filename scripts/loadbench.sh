#!/usr/bin/env bash
# Load-tests doppel serve beside a bare net/http server that writes the same
# JSON (cmd/barejson), with wrk, interleaved: each workload runs ROUNDS times,
# doppel and bare alternating which goes first, each on its own free port.
# Prints per workload the median and range (min-max) of requests/s, p99 and
# the server's CPU per request (from /proc/PID/stat before and after), then
# start-up times and the 100 000-customer case: ready time, RSS, and GET /me
# against it interleaved with GET /me against the personas-only server.
# Usage: scripts/loadbench.sh [seconds per run] [rounds]   (needs wrk)
# DOPPEL=path/to/doppel compares another build (e.g. an older commit's).
# K_STARTS=n times the 100 000-customer start-up n times besides (default 3).
# PASSWORD_HASH=fast passes --password-hash fast to the doppel servers.
set -euo pipefail
secs=${1:-3}
rounds=${2:-5}
k_starts=${K_STARTS:-3}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "loadbench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
if [ -n "${DOPPEL:-}" ]; then cp "$DOPPEL" "$tmp/doppel"; else go build -o "$tmp/doppel" ./cmd/doppel; fi
go build -o "$tmp/barejson" ./cmd/barejson
extra=()
[ -n "${PASSWORD_HASH:-}" ] && extra=(--password-hash "$PASSWORD_HASH")
tick=$(getconf CLK_TCK)

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime+stime in clock ticks
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# start_doppel NAME ARGS...: starts doppel serve on a free port; sets
# NAME_addr, NAME_pid and NAME_ready (ms from start to its first answer).
start_doppel() {
  local name=$1 port out
  shift
  port=$(freeport)
  out=$(python3 - "$port" "$tmp/doppel" serve --addr "127.0.0.1:$port" "${extra[@]}" "$@" <<'PY'
import subprocess, sys, time, urllib.error, urllib.request
port, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/__doppel/health", timeout=120).read()
        break
    except urllib.error.HTTPError:
        break  # an answer all the same
    except OSError:
        if p.poll() is not None:
            sys.exit(f"loadbench: doppel {' '.join(cmd[1:])} exited")
        time.sleep(0.001)
print(round((time.monotonic() - t0) * 1000), p.pid)
PY
  )
  read -r ms pid <<<"$out"
  pids+=("$pid")
  printf -v "${name}_addr" '127.0.0.1:%s' "$port"
  printf -v "${name}_pid" '%s' "$pid"
  printf -v "${name}_ready" '%s' "$ms"
}
stop() { kill "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.01; done; }

login_body='{"email":"load@example.com","password":"secret"}'
address_body='{"contactName":"Lo Ad","street":"Platz der Republik","streetNumber":"1","zipCode":"11011","city":"Berlin","country":"DE","tags":["BILLING"]}'
# setup NAME ADDR: signs up the load user on a doppel; sets NAME_anon, NAME_cust
setup() {
  local anon cust
  anon=$(curl -fs "http://$2/customerlogin/auth/anonymous/login?tenant=bench&client_id=wrk" | json access_token)
  curl -fs -X POST "http://$2/customer/bench/signup" -H "Authorization: Bearer $anon" -H 'Content-Type: application/json' \
    -d '{"email":"load@example.com","password":"secret","customerDetails":{"firstName":"Lo","lastName":"Ad"}}' >/dev/null
  curl -fs -X POST "http://$2/customer/bench/login" -H "Authorization: Bearer $anon" -H 'Content-Type: application/json' -d "$login_body" >"$tmp/login.json"
  cust=$(json access_token <"$tmp/login.json")
  curl -fs "http://$2/customer/bench/me" -H "Authorization: Bearer $cust" >"$tmp/me.json"
  printf -v "${1}_anon" '%s' "$anon"
  printf -v "${1}_cust" '%s' "$cust"
}
lua() { # NAME BODY TOKEN -> a wrk script POSTing BODY
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer %s"\n' \
    "'$2'" "$3" >"$tmp/$1.lua"
  echo "$tmp/$1.lua"
}

# address_lua ADDR N: a wrk script that adds addresses round-robin for N
# fresh customers (at most identity.MaxAddresses, 100, each), in tenant bench.
address_lua() {
  python3 - "$1" "$2" "$address_body" >"$tmp/address.lua" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
addr, n, body = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def call(method, path, token, data=None):
    req = urllib.request.Request(f"http://{addr}{path}", method=method, data=data and json.dumps(data).encode(),
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=60))
def user(i):
    anon = call("GET", "/customerlogin/auth/anonymous/login?tenant=bench&client_id=wrk", "")["access_token"]
    email = f"addr{i}-{id(anon)}@example.com"
    call("POST", "/customer/bench/signup", anon, {"email": email, "password": "secret", "customerDetails": {"firstName": "Ad", "lastName": "Dress"}})
    return call("POST", "/customer/bench/login", anon, {"email": email, "password": "secret"})["access_token"]
with ThreadPoolExecutor(4) as pool:
    tokens = list(pool.map(user, range(n)))
print("local tokens = {" + ",".join(json.dumps(t) for t in tokens) + "}")
print("local body = " + json.dumps(body))
print("""local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[i % #tokens + 1]}, body)
end""")
PY
  echo "$tmp/address.lua"
}

# measure PID URL CONNS TOKEN [LUA] -> "rps p99(ms) cpu(us/request) non2xx"
measure() {
  local before after out
  before=$(cpu "$1")
  out=$(wrk -t1 -c"$3" -d"${secs}s" --latency ${5:+-s "$5"} -H "Authorization: Bearer $4" "$2")
  after=$(cpu "$1")
  echo "$out" | awk -v cpu=$((after - before)) -v tick="$tick" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    / requests in / {n=$1} /Requests\/sec/ {rps=$2} /^ +99%/ {p99=ms($2)} /Non-2xx/ {bad=$5}
    END {printf "%s %.2f %.0f %s\n", rps, p99, (n ? cpu/tick*1e6/n : 0), (bad ? bad : 0)}'
}

# stats: reads "rps p99 cpu bad" lines; prints medians and ranges
stats() {
  python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
cols = list(zip(*rows))
med = lambda c: statistics.median(c)
print(f"{med(cols[0]):.0f} {min(cols[0]):.0f}-{max(cols[0]):.0f} {med(cols[1]):.2f} {min(cols[1]):.2f}-{max(cols[1]):.2f} {med(cols[2]):.0f} {min(cols[2]):.0f}-{max(cols[2]):.0f} {sum(cols[3]):.0f}")'
}

bare_start() { # BODYFILE STATUS: (re)starts the bare server with another body
  if [ -n "${bare_pid:-}" ]; then stop "$bare_pid"; fi
  local port
  port=$(freeport)
  "$tmp/barejson" -addr "127.0.0.1:$port" -body "$1" -status "$2" & bare_pid=$!
  pids+=("$bare_pid")
  bare_addr=127.0.0.1:$port
  for _ in $(seq 200); do curl -s "http://$bare_addr/" >/dev/null && break; sleep 0.05; done
}

# compare LABEL  A_LABEL A_PID A_URL A_TOKEN A_LUA  B_LABEL B_PID B_URL B_TOKEN B_LUA CONNS
compare() {
  local label=$1 r
  : >"$tmp/a" ; : >"$tmp/b"
  for r in $(seq "$rounds"); do
    [ -n "${before_each:-}" ] && $before_each >/dev/null
    if ((r % 2)); then
      measure "$3" "$4" "${12}" "$5" "$6" >>"$tmp/a"; measure "$8" "$9" "${12}" "${10}" "${11}" >>"$tmp/b"
    else
      measure "$8" "$9" "${12}" "${10}" "${11}" >>"$tmp/b"; measure "$3" "$4" "${12}" "$5" "$6" >>"$tmp/a"
    fi
  done
  read -r arps arange ap99 ap99r acpu acpur abad < <(stats <"$tmp/a")
  read -r brps brange bp99 bp99r bcpu bcpur bbad < <(stats <"$tmp/b")
  printf '%-30s %-6s %6s rps (%s)  p99 %6s ms (%s)  %4s us/req (%s)%s\n' "$label" "$2" "$arps" "$arange" "$ap99" "$ap99r" "$acpu" "$acpur" \
    "$( ((abad)) && echo "  non-2xx: $abad")"
  printf '%-30s %-6s %6s rps (%s)  p99 %6s ms (%s)  %4s us/req (%s)   ratio %.2fx\n' "" "$7" "$brps" "$brange" "$bp99" "$bp99r" "$bcpu" "$bcpur" \
    "$(python3 -c "print($arps/$brps)")"
}

start_doppel d --seed 1
setup d "$d_addr"
login_lua=$(lua login "$login_body" "$d_anon")
echo '{"id":"0123456789"}' >"$tmp/address.json"
cp "$tmp/me.json" "$tmp/me-bare.json"; cp "$tmp/login.json" "$tmp/login-bare.json"

echo "median (min-max) of $rounds interleaved rounds of ${secs}s each, wrk -t1; CPU is the server's per request; $(nproc) cores shared by server and wrk"
bare_start "$tmp/me-bare.json" 200
compare "GET /me, 16 connections" doppel "$d_pid" "http://$d_addr/customer/bench/me" "$d_cust" "" bare "$bare_pid" "http://$bare_addr/customer/bench/me" x "" 16
compare "GET /me, 1 connection" doppel "$d_pid" "http://$d_addr/customer/bench/me" "$d_cust" "" bare "$bare_pid" "http://$bare_addr/customer/bench/me" x "" 1
bare_start "$tmp/login-bare.json" 200
compare "POST login, 16 connections" doppel "$d_pid" "http://$d_addr/customer/bench/login" "$d_anon" "$login_lua" bare "$bare_pid" "http://$bare_addr/customer/bench/login" x "$login_lua" 16
bare_start "$tmp/address.json" 201
# fresh customers each round, with room for 100 addresses each: 10 000 adds
# a second of the round, so that none is refused for the limit
before_each="address_lua $d_addr $((secs * 100))"
compare "POST address, 16 connections" doppel "$d_pid" "http://$d_addr/customer/bench/me/addresses" "$d_cust" "$tmp/address.lua" bare "$bare_pid" "http://$bare_addr/customer/bench/me/addresses" x "$tmp/address.lua" 16
before_each=
stop "$bare_pid"; bare_pid=

# 100 000 customers: ready time and RSS, then GET /me against it beside the
# personas-only server (whose user now has many addresses: a fresh one).
stop "$d_pid"
start_doppel d --seed 1
setup d "$d_addr"
start_doppel k --seed 1 --customers 33334
k_rss=$(rss "$k_pid")
setup k "$k_addr"
echo
echo "100 002 customers (--customers 33334, three faces): ready in ${k_ready} ms, RSS ${k_rss} MB (personas only: ready in ${d_ready} ms, RSS $(rss "$d_pid") MB)"
compare "GET /me, 16 connections" 100k "$k_pid" "http://$k_addr/customer/bench/me" "$k_cust" "" personas "$d_pid" "http://$d_addr/customer/bench/me" "$d_cust" "" 16
echo "RSS after the load: 100k $(rss "$k_pid") MB, personas $(rss "$d_pid") MB"
stop "$k_pid"; stop "$d_pid"

# Start-up to the first answer: the median of ROUNDS starts each.
starts() { # N ARGS...
  local all=() i n=$1
  shift
  for i in $(seq "$n"); do start_doppel s "$@"; all+=("$s_ready"); stop "$s_pid"; done
  printf '%s\n' "${all[@]}" | python3 -c 'import statistics,sys; v=[int(l) for l in sys.stdin]; print(f"median {statistics.median(v):.0f} ms ({min(v)}-{max(v)})")'
}
echo
echo "start-up to the first answer, personas only: $(starts "$rounds" --seed 1)"
((k_starts)) && echo "start-up to the first answer, 100 002 customers: $(starts "$k_starts" --seed 1 --customers 33334)"
