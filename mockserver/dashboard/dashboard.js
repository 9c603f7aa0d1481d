// doppel's dashboard: shows the state of the mock through its admin API and
// refreshes itself. Everything shown is built with DOM nodes and text nodes,
// never parsed as HTML: customer data is user input.
"use strict";

const REFRESH_MS = 2000;
const LIMIT = 200; // customers, mail and requests shown at most
const ADMIN = ""; // the admin API is beside the page, at /__doppel/: relative URLs work behind a proxy too

const $ = (id) => document.getElementById(id);

// h makes an element with attributes and children (nodes, or strings that
// become text nodes). Attribute keys are the code's own, values are set as
// values: never parsed.
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// safeHref returns link as an absolute http(s) URL, or null for anything
// else (javascript:, data:…), which is then not made a link.
function safeHref(link) {
  try {
    const u = new URL(link, location.href);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch {
    return null;
  }
}

function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function table(headers, rows, empty) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("table", {}, h("thead", {}, h("tr", {}, headers.map((t) => h("th", {}, t)))), h("tbody", {}, rows));
}

// Details stay open across refreshes: their keys are remembered.
const openDetails = new Set();
document.addEventListener("toggle", (ev) => {
  const key = ev.target.dataset && ev.target.dataset.key;
  if (!key) return;
  if (ev.target.open) openDetails.add(key);
  else openDetails.delete(key);
}, true);

function details(key, summary, ...content) {
  return h("details", { "data-key": key, open: openDetails.has(key) }, h("summary", {}, summary), content);
}

function json(v) {
  return h("pre", {}, JSON.stringify(v, null, 2));
}

// ---- talking to the admin API ----

// The admin token, when doppel serve has one (--admin-token): taken from the
// page address's fragment (#token=…, which the browser never sends, so no
// log shows it) or typed into the page, and kept for this tab only.
const TOKEN_KEY = "doppel-admin-token";
let token = sessionStorage.getItem(TOKEN_KEY) || "";

// tokenFromFragment takes the token from the address's fragment, if any,
// and removes it from the address bar and the history.
function tokenFromFragment() {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (!m) return false;
  token = decodeURIComponent(m[1]);
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(null, "", location.pathname + location.search);
  return true;
}
tokenFromFragment();

async function call(method, path, body) {
  // The header tells doppel a program sends this, not a web form.
  const init = { method, headers: { "X-Doppel-Admin": "dashboard" } };
  if (token) init.headers.Authorization = "Bearer " + token;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(ADMIN + path, init);
  $("token-form").hidden = res.status !== 401;
  if (!res.ok) {
    let msg = res.status + " " + res.statusText;
    try {
      msg = (await res.json()).error || msg;
    } catch { /* not JSON */ }
    throw new Error(msg);
  }
  return res;
}

function setStatus(text, error) {
  const s = $("status");
  s.textContent = text;
  s.classList.toggle("error", !!error);
}

// action runs an admin call for a button, then refreshes.
async function action(label, method, path, body) {
  try {
    await call(method, path, body);
    setStatus(label + ": done");
  } catch (e) {
    setStatus(label + ": " + e.message, true);
  }
  await refresh();
}

// ---- refreshing ----

const last = {}; // the last response text of each section: unchanged ones are not redrawn
let loading = null;
let again = false;
let unreachable = false; // the last refresh failed

// refresh loads every section; a call while one runs runs once more after it.
async function refresh() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    do {
      again = false;
      await load();
    } while (again);
    loading = null;
  })();
  return loading;
}

async function load() {
  const f = tenantFilter();
  const q = new URLSearchParams({ limit: LIMIT });
  if (f) {
    q.set("api", f[0]);
    q.set("tenant", f[1]);
  }
  try {
    const [health, clock, customers, mail, journal, faults] = await Promise.all([
      fetch(ADMIN + "health").then((res) => res.json()), // a 503 is news, not a failure to load
      call("GET", "clock"), call("GET", "customers?" + q), call("GET", "mailbox?limit=" + LIMIT),
      call("GET", "requests?limit=" + LIMIT), call("GET", "faults"),
    ]);
    renderHealth(health);
    renderClock(await clock.json());
    const mailTotal = mail.headers.get("X-Total-Count");
    for (const [name, res, render] of [
      ["customers", customers, renderCustomers], ["mailbox", mail, (v) => renderMailbox(v, mailTotal)],
      ["journal", journal, renderJournal], ["faults", faults, renderFaults],
    ]) {
      const text = await res.text();
      const key = name === "mailbox" ? text + mailTotal : text;
      if (last[name] !== key) {
        last[name] = key;
        render(JSON.parse(text));
      }
    }
    if (unreachable) setStatus("");
    unreachable = false;
    $("status").title = "refreshed " + new Date().toLocaleTimeString();
  } catch (e) {
    unreachable = true;
    setStatus("cannot read the admin API: " + e.message, true);
  }
}

// ---- sections ----

// renderHealth shows, in red, why the state file is not written (a 503 of
// GET /__doppel/health).
function renderHealth(h) {
  const failing = h.status === "failing";
  $("health").hidden = !failing;
  $("health").textContent = failing ? `the state file is not written since ${time(h.since)}: ${h.reason}` : "";
}

function renderClock(c) {
  $("clock-now").textContent = time(c.now);
  const off = $("clock-offset");
  const shifted = !/^-?0s$/.test(c.offset);
  off.textContent = shifted ? "shifted " + c.offset : "real time";
  off.classList.toggle("shifted", shifted);
}

function tenantFilter() {
  const v = $("tenant-filter").value;
  return v ? JSON.parse(v) : null;
}

function renderTenantOptions(tenants) {
  const sel = $("tenant-filter");
  const current = sel.value;
  sel.replaceChildren(h("option", { value: "" }, "all"),
    tenants.map((t) => h("option", { value: JSON.stringify([t.api, t.tenant]) }, `${t.api} · ${t.tenant} (${t.customers})`)));
  sel.value = current;
  if (sel.value !== current) sel.value = "";
}

// displayName picks a name from a face's profile, whichever fields it has.
function displayName(p) {
  const full = [p.firstName, p.lastName].filter((x) => typeof x === "string" && x).join(" ");
  for (const v of [full, p.name, p.username, p.company, p.companyName]) {
    if (typeof v === "string" && v) return v;
  }
  return "";
}

const addressOrder = ["contactName", "companyName", "street", "streetNumber", "streetAppendix", "zipCode", "city", "state", "country"];

function addressLine(fields) {
  const keys = Object.keys(fields || {});
  keys.sort((a, b) => {
    const ia = addressOrder.indexOf(a), ib = addressOrder.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return keys.map((k) => fields[k]).filter((v) => typeof v === "string" || typeof v === "number").join(", ");
}

function renderCustomers(page) {
  if (!tenantFilter()) renderTenantOptions(page.tenants);
  $("customers-count").textContent = page.customers.length < page.total
    ? `(the newest ${page.customers.length} of ${page.total})` : `(${page.total})`;
  const groups = new Map(page.tenants.map((t) => [t.api + "\n" + t.tenant, { t, rows: [] }]));
  for (const c of page.customers) {
    const g = groups.get(c.api + "\n" + c.tenant);
    if (g) g.rows.push(c);
  }
  const out = [];
  const others = []; // tenants none of whose customers are among the newest
  for (const { t, rows } of groups.values()) {
    const show = () => { $("tenant-filter").value = JSON.stringify([t.api, t.tenant]); delete last.customers; refresh(); };
    if (!rows.length) {
      others.push(h("span", { class: "badge" }, `${t.api} · ${t.tenant} (${t.customers}) `, h("button", { type: "button", onclick: show }, "show")));
      continue;
    }
    out.push(h("h3", {}, `${t.api} · ${t.tenant} `,
      h("span", { class: "count" }, rows.length < t.customers ? `(the newest ${rows.length} of ${t.customers}) ` : `(${t.customers})`),
      !tenantFilter() && rows.length < t.customers ? h("button", { type: "button", onclick: show }, "show only these") : ""));
    out.push(table(["customer", "logins", "addresses", "live tokens", "created / last login"], rows.map(customerRow), ""));
  }
  if (others.length) {
    out.unshift(h("div", { class: "others" }, "Other tenants: ", others));
  }
  $("customers").replaceChildren(...(out.length ? out : [h("p", { class: "empty" }, "no customers")]));
}

function customerRow(c) {
  const key = `cust-${c.api}/${c.tenant}/${c.number}`;
  return h("tr", { "data-customer": c.number },
    h("td", {},
      h("div", {}, h("code", {}, c.number), " ", c.active ? "" : h("span", { class: "badge warn" }, "inactive")),
      h("div", {}, displayName(c.profile)),
      details(key + "/profile", "profile", json(c.profile))),
    h("td", {}, h("ul", {}, c.logins.map((l) => h("li", {}, l.email,
      l.role && l.role !== "customer" ? h("span", { class: "badge" }, l.role) : "",
      l.password ? "" : h("span", { class: "muted" }, " (no password)"))))),
    h("td", {}, c.addresses.length ? h("ul", {}, c.addresses.map((a) => h("li", { title: "id " + a.id },
      addressLine(a.fields), a.default ? h("span", { class: "badge" }, "default") : "",
      (a.tags || []).map((t) => h("span", { class: "badge" }, t))))) : h("span", { class: "muted" }, "none")),
    h("td", {}, c.tokens.length ? h("ul", {}, c.tokens.map((t) => h("li", {},
      h("span", { class: "badge" }, t.kind), " ", h("code", { class: "secret" }, t.value),
      h("div", { class: "muted" }, "until " + time(t.expires)))))
      : h("span", { class: "muted" }, "none")),
    h("td", { class: "nowrap" }, time(c.created), h("br"), c.lastSeen ? time(c.lastSeen) : h("span", { class: "muted" }, "never")));
}

function renderMailbox(mail, total) {
  const n = Number(total || mail.length);
  $("mailbox-count").textContent = mail.length < n ? `(the newest ${mail.length} of ${n})` : `(${n})`;
  const rows = mail.slice().reverse().map((m) => {
    const href = safeHref(m.link);
    return h("tr", { "data-mail": m.id },
      h("td", { class: "nowrap" }, time(m.sentAt)),
      h("td", {}, m.api, h("br"), h("span", { class: "muted" }, m.tenant)),
      h("td", {}, m.to),
      h("td", {}, h("span", { class: "badge" }, m.kind), h("div", {}, m.subject)),
      h("td", {},
        m.token ? h("div", {}, "token ", h("code", { class: "secret" }, m.token)) : "",
        m.identifier ? h("div", {}, "identifier ", h("code", {}, m.identifier)) : ""),
      h("td", {}, href ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }, m.link) : m.link,
        details(`mail-${m.id}`, "body", h("pre", {}, m.body))));
  });
  $("mailbox").replaceChildren(table(["sent", "face / tenant", "to", "kind", "secret", "link"], rows, "no mail"));
}

function renderJournal(page) {
  const problemsOnly = $("journal-problems").checked;
  if (!page.capacity) {
    $("journal-count").textContent = "";
    $("journal").replaceChildren(h("p", { class: "empty" }, "the journal is off (doppel serve --journal 0)"));
    return;
  }
  const shown = page.requests.length;
  $("journal-count").textContent = shown < page.recorded
    ? `(the newest ${shown} of ${page.recorded} recorded, keeping ${page.capacity})` : `(${page.recorded})`;
  const reqs = page.requests.filter((r) => !problemsOnly || r.violations.length || r.fault);
  const rows = reqs.map((r) => {
    const cls = [r.violations.length ? "violation" : "", r.fault ? "faulted" : ""].join(" ").trim();
    return h("tr", { "data-request": r.id, class: cls || null },
      h("td", { class: "nowrap" }, "#" + r.id, h("br"), h("span", { class: "muted" }, time(r.time))),
      h("td", {}, r.api, h("br"), h("span", { class: "muted" }, r.tenant)),
      h("td", {}, h("code", {}, r.method + " " + r.path + (r.query ? "?" + r.query : "")),
        r.operation ? h("div", { class: "muted" }, r.operation) : ""),
      h("td", { class: "status-" + Math.floor(r.status / 100) }, r.status || "dropped",
        h("div", { class: "muted" }, r.durationMs + " ms")),
      h("td", {},
        r.fault ? h("div", {}, h("span", { class: "badge warn" }, "fault"), " ", r.fault) : "",
        r.violations.length ? h("ul", { class: "violations" }, r.violations.map((v) =>
          h("li", {}, `${v.in}${v.field ? " " + v.field : ""}: ${v.message}`))) : ""),
      h("td", {}, details(`req-${r.id}`, "request / response",
        h("div", { class: "muted" }, "request headers"), json(r.request.headers || {}),
        h("div", { class: "muted" }, "request body"), h("pre", {}, r.request.body || "(none)"),
        h("div", { class: "muted" }, "response body"), h("pre", {}, r.response.body || "(none)"))));
  });
  $("journal").replaceChildren(table(["request", "face / tenant", "call", "status", "violations / fault", ""], rows,
    problemsOnly ? "no request broke the contract or was faulted" : "no requests yet"));
}

function effect(r) {
  return [r.latency ? "latency " + r.latency : "", r.status ? "status " + r.status : "", r.drop ? "drop" : ""]
    .filter(Boolean).join(", ") || "none";
}

function renderFaults(f) {
  $("faults-count").textContent = `(${f.rules.length} rules, ${f.logins.length} logins)`;
  const rules = f.rules.map((r) => h("tr", { "data-rule": r.id },
    h("td", {}, "#" + r.id), h("td", {}, r.api || "any"), h("td", {}, r.method || "any"),
    h("td", {}, h("code", {}, r.path || "any")), h("td", {}, effect(r)),
    h("td", {}, String(r.probability)), h("td", {}, r.remaining === null ? "∞" : String(r.remaining)),
    h("td", {}, String(r.applied)),
    h("td", {}, h("button", { type: "button", onclick: () => action(`delete rule #${r.id}`, "DELETE", "faults/" + r.id) }, "delete"))));
  const logins = f.logins.map((l) => {
    const path = "faults/logins/" + [l.api, l.tenant, l.email].map(encodeURIComponent).join("/");
    return h("tr", {},
      h("td", {}, l.api), h("td", {}, l.tenant), h("td", {}, l.email), h("td", {}, h("code", {}, l.customer)),
      h("td", {}, l.locked ? h("span", { class: "badge bad" }, "locked") : ""),
      h("td", {}, l.failLogins ? `next ${l.failLogins} logins fail` : ""),
      h("td", {}, h("button", { type: "button", onclick: () => action(`lift the faults of ${l.email}`, "DELETE", path) }, "lift")));
  });
  $("faults").replaceChildren(
    h("h3", {}, "transport rules"),
    table(["rule", "face", "method", "path", "effect", "probability", "remaining", "applied", ""], rules, "no rules"),
    h("h3", {}, "business faults on logins"),
    table(["face", "tenant", "login", "customer", "lock", "failures", ""], logins, "none"));
}

// ---- controls ----

let timer = null;

function schedule() {
  clearInterval(timer);
  timer = $("auto-refresh").checked ? setInterval(refresh, REFRESH_MS) : null;
}

document.addEventListener("DOMContentLoaded", () => {
  $("refresh").addEventListener("click", () => refresh());
  $("auto-refresh").addEventListener("change", schedule);
  $("reset-state").addEventListener("click", () => action("reset state", "POST", "reset"));
  $("clear-mailbox").addEventListener("click", () => action("clear mailbox", "DELETE", "mailbox"));
  $("clear-journal").addEventListener("click", () => action("clear journal", "DELETE", "requests"));
  $("clear-faults").addEventListener("click", () => action("clear faults", "DELETE", "faults"));
  $("clock-real").addEventListener("click", () => action("back to real time", "POST", "clock", { reset: true }));
  for (const b of document.querySelectorAll("[data-advance]")) {
    b.addEventListener("click", () => action("advance " + b.dataset.advance, "POST", "clock", { advance: b.dataset.advance }));
  }
  $("clock-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = $("clock-advance").value.trim();
    if (v) action("advance " + v, "POST", "clock", { advance: v });
  });
  window.addEventListener("hashchange", () => { if (tokenFromFragment()) refresh(); });
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    token = $("token-input").value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token-input").value = "";
    refresh();
  });
  $("tenant-filter").addEventListener("change", () => { delete last.customers; refresh(); });
  $("journal-problems").addEventListener("change", () => { delete last.journal; refresh(); });
  schedule();
  refresh();
});
