#!/usr/bin/env bash
# Runs the whole conformance suite (mode full) against doppel serve seen as a
# vendor's deployment: its admin API off (--admin=false), its mail delivered
# over SMTP to Mailpit and read back from there, and a target file with no
# admin or provisioning capability. What the scenarios need that no vendor
# route makes — the Open Loyalty admin and point of sale, the Emporix opt-in
# tenant, the Customer Accounts retailers and pre-provisioned accounts — comes
# from a seed document loaded at start (--fixtures), as a vendor's back office
# would have made it. Prints the summary's per-API "could run" table; exits
# non-zero when the run fails, when a scenario differs from doppel's choices
# (the target is doppel), or when fewer than 90 % of the scenarios could run.
#
# Usage: scripts/vendorlike.sh [reports dir]   (default reports/vendorlike; it also
# keeps the target file and the logs of doppel conform and doppel serve there)
# Needs Mailpit on PATH or in $(go env GOPATH)/bin
# (go install github.com/axllent/mailpit@v1.33.1) and python3.
# VENDORLIKE_TIMEOUT bounds the conform run (default 30m); VENDORLIKE_SEED is
# doppel serve's --seed (default 1).
set -euo pipefail
if [ $# -gt 0 ]; then reports=$(realpath -m "$1"); fi # before the cd: relative to the caller
cd "$(dirname "$0")/.."
reports=${reports:-reports/vendorlike}
min_percent=90

mailpit=$(command -v mailpit || true)
if [ -z "$mailpit" ]; then mailpit="$(go env GOPATH)/bin/mailpit"; fi
[ -x "$mailpit" ] || { echo "vendorlike: Mailpit is missing: go install github.com/axllent/mailpit@v1.33.1" >&2; exit 1; }
command -v python3 >/dev/null || { echo "vendorlike: python3 is missing" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() { # the last started first: doppel serve delivers its queued mail to Mailpit as it stops
	local i pid
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		pid=${pids[i]}
		kill "$pid" 2>/dev/null || continue
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || continue 2; sleep 0.1; done # bounded: 10 s
		kill -9 "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Three free loopback ports: SMTP and web API of Mailpit, doppel.
read -r smtp_port mailpit_port doppel_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)
mailpit_url=http://127.0.0.1:$mailpit_port
base=http://127.0.0.1:$doppel_port

# wait_http URL NAME LOG: waits up to 20 s for any HTTP answer at URL.
wait_http() {
	for _ in $(seq 200); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true)
		if [ "$code" != "000" ]; then return 0; fi
		sleep 0.1
	done
	echo "vendorlike: $2 did not answer at $1:" >&2
	cat "$3" >&2
	exit 1
}

echo "vendorlike: building doppel"
go build -o "$tmp/doppel" ./cmd/doppel

"$mailpit" --smtp "127.0.0.1:$smtp_port" --listen "127.0.0.1:$mailpit_port" --disable-version-check >"$tmp/mailpit.log" 2>&1 &
pids+=($!)
wait_http "$mailpit_url/api/v1/info" Mailpit "$tmp/mailpit.log"

# The secrets the target file names as ${ENV}: the values are the seed's.
export VENDORLIKE_OL_ADMIN_PASSWORD='Vend0r-like!adm'
export VENDORLIKE_ACCOUNT_PASSWORD='Vend0r-like!acc'

# The seed document (the vendor's back office) and the parts of the target
# file that name what it made, from one description. A full Customer
# Accounts run needs 24 reusable, 7 disposable and 4 pending accounts.
python3 - "$tmp" <<'PY'
import json, os, sys
tmp = sys.argv[1]
pw = os.environ["VENDORLIKE_ACCOUNT_PASSWORD"]
origin, outlet = "https://shop.vendorlike.test", "https://outlet.vendorlike.test"
account = "vl-account@vendorlike.test"
pool = [("reusable", 24), ("disposable", 7), ("pending", 4)]
customers = [{"email": account, "password": pw, "name": "Vendorlike Test", "status": "active"}]
for kind, n in pool:
    for i in range(1, n + 1):
        c = {"email": f"vl-{kind}{i:02d}@vendorlike.test", "name": f"Pool {kind.title()} {i}"}
        if kind == "pending":
            c["status"] = "pending"
        else:
            c.update(password=pw, status="active")
        customers.append(c)
seed = {
    "emporix": {"tenants": {"vendorlikeoptin": {"doubleOptIn": True, "customers": []}}},
    "openloyalty": {
        "admins": [{"username": "vl-admin", "email": "vl-admin@vendorlike.test",
                    "password": os.environ["VENDORLIKE_OL_ADMIN_PASSWORD"]}],
        "pointsOfSale": ["8e4f2a61-3c7d-4b09-a5e2-71d9c0b3f458"],
    },
    "accounts": {"retailers": [
        {"name": "vendorlike", "origins": [origin], "customers": customers},
        {"name": "vendorlike-outlet", "origins": [outlet]},
    ]},
}
json.dump(seed, open(os.path.join(tmp, "seed.json"), "w"), indent=1)
PY

"$tmp/doppel" serve --addr "127.0.0.1:$doppel_port" --admin=false --smtp "127.0.0.1:$smtp_port" \
	--fixtures "$tmp/seed.json" --seed "${VENDORLIKE_SEED:-1}" >"$tmp/doppel.log" 2>&1 &
pids+=($!)
wait_http "$base/" "doppel serve" "$tmp/doppel.log"
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/__doppel/health")" = 404 ] ||
	{ echo "vendorlike: doppel's admin API answers; it must be off" >&2; exit 1; }

# The pending accounts' activation mail, sent when the seed made them: the
# owner of a deployment reads it before a run and lists its identifier and
# secret in the target file. Waits up to 20 s for the four to arrive.
python3 - "$tmp" "$mailpit_url" <<'PY'
import json, os, sys, time, urllib.parse, urllib.request
tmp, mailpit = sys.argv[1], sys.argv[2]
def get(path):
    with urllib.request.urlopen(mailpit + path, timeout=5) as r:
        return json.load(r)
pending = []
for i in range(1, 5):
    email = f"vl-pending{i:02d}@vendorlike.test"
    for _ in range(200):
        q = urllib.parse.urlencode({"query": f'to:"{email}"'})
        found = get("/api/v1/search?" + q)["messages"]
        if found:
            break
        time.sleep(0.1)
    else:
        sys.exit(f"vendorlike: no activation mail for {email} in Mailpit")
    h = get("/api/v1/message/" + found[0]["ID"] + "/headers")
    assert h["X-Doppel-Kind"][0] == "activation", h
    env = f"VENDORLIKE_PENDING_{i}"
    pending.append((email, h["X-Doppel-Identifier"][0], env))
    with open(os.path.join(tmp, "secrets.env"), "a") as f:
        f.write(f"export {env}='{h['X-Doppel-Token'][0]}'\n")
with open(os.path.join(tmp, "pending.yaml"), "w") as f:
    for email, ident, env in pending:
        f.write(f'      - {{email: {email}, pending: true, identifier: "{ident}", secret: "${{{env}}}"}}\n')
PY
# shellcheck disable=SC1091
. "$tmp/secrets.env"

{
	cat <<YAML
name: vendor-like doppel (admin API off, mail through Mailpit)
mode: full
timeout: 30s
capabilities: [multi-tenant, destructive, social-login]
mailbox:
  adapter: mailpit
  url: $mailpit_url
  wait: 20s
apis:
  emporix:
    baseURL: $base
    tenant: vendorlike
    clientId: vendorlike-storefront
    optInTenant: vendorlikeoptin
    otherTenants: [vendorliketwo]
  openloyalty:
    baseURL: $base
    storeCode: vendorlike
    adminUsername: vl-admin
    adminPassword: \${VENDORLIKE_OL_ADMIN_PASSWORD}
    adminEmail: vl-admin@vendorlike.test
    posId: 8e4f2a61-3c7d-4b09-a5e2-71d9c0b3f458
    otherTenants: [vendorlike2]
  accounts:
    baseURL: $base
    origin: https://shop.vendorlike.test
    accountEmail: vl-account@vendorlike.test
    accountPassword: \${VENDORLIKE_ACCOUNT_PASSWORD}
    otherTenants: [https://outlet.vendorlike.test]
    customers:
YAML
	for kind in reusable disposable; do
		n=24 mark=""
		if [ $kind = disposable ]; then n=7 mark=", disposable: true"; fi
		for i in $(seq -f %02g "$n"); do
			echo "      - {email: vl-$kind$i@vendorlike.test, password: \"\${VENDORLIKE_ACCOUNT_PASSWORD}\"$mark}"
		done
	done
	cat "$tmp/pending.yaml"
} >"$tmp/target.yaml"

mkdir -p "$reports"
rm -f "$reports"/{summary.md,summary.html,junit.xml,ginkgo.json,target.yaml,conform.log,doppel.log}
echo "vendorlike: doppel conform --mode full against $base (admin API off), mail through Mailpit at $mailpit_url"
start=$(date +%s)
# In the background, so that a signal to this script stops it at once (the
# trap kills it) instead of waiting for it to end.
timeout --kill-after=30s "${VENDORLIKE_TIMEOUT:-30m}" \
	"$tmp/doppel" conform --target "$tmp/target.yaml" --mode full --reports "$reports" >"$tmp/conform.log" 2>&1 &
pids+=($!)
status=0
wait $! || status=$?
took=$(($(date +%s) - start))
cp "$tmp/target.yaml" "$tmp/conform.log" "$tmp/doppel.log" "$reports/" # the target file names its secrets as ${ENV} only
tail -n 3 "$tmp/conform.log"

summary=$reports/summary.md
if [ ! -f "$summary" ]; then
	cat "$tmp/conform.log" >&2
	echo "vendorlike: no summary (doppel conform exited $status after ${took}s)" >&2
	exit 1
fi
echo
sed -n '/^| API | could run/,/^$/p' "$summary"
read -r ran selected < <(sed -n 's/.* \([0-9]*\) of the \([0-9]*\) selected could run\./\1 \2/p' "$summary") ||
	{ echo "vendorlike: $summary says not how many scenarios could run" >&2; exit 1; }
percent=$((100 * ran / selected))
echo "overall: $ran of $selected scenarios could run (${percent} %); doppel conform exited $status after ${took}s; reports in $reports"
if [ "$status" != 0 ]; then
	awk '/^## Failures/ {f = 1; next} /^## / {f = 0} f && /^### / {sub(/^### /, "  "); print}' "$summary" >&2
	echo "vendorlike: the run failed (see $summary)" >&2
	exit 1
fi
# The target is doppel: where the vendor is silent, it must answer as doppel chose.
choices=$(sed -n 's/.*, \([0-9]*\) differ from doppel.s choices, .*/\1/p' "$summary")
if [ "${choices:-0}" != 0 ]; then
	awk '/^## Differs from doppel/ {f = 1; next} /^## / {f = 0} f && /^### / {sub(/^### /, "  "); print}' "$summary" >&2
	echo "vendorlike: $choices scenarios differ from doppel's choices, against doppel itself (see $summary)" >&2
	exit 1
fi
if [ $((100 * ran)) -lt $((min_percent * selected)) ]; then
	echo "vendorlike: fewer than ${min_percent} % of the scenarios could run" >&2
	exit 1
fi
