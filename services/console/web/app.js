// The web console: signs in with a bearer token, follows the server-sent overview stream
// (read with fetch, so the token travels in a header, never in a URL), refreshes the detail
// tables when the overview changes, and sends operator actions.
import { renderChart } from "./chart.js";
import { currentLanguage, setLanguage, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const roleRank = { viewer: 1, operator: 2, admin: 3 };
const bedClasses = ["shelter", "general", "icu"];
const kinds = ["designated_hospital", "sub_designated_hospital", "fangcang"];

const state = { token: sessionStorage.getItem("fangcang.token") ?? "", me: undefined, stream: undefined };
let lastOverview;
let lastDetails = {};
let refreshing = false;
let refreshAgain = false;

function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key === "class") element.className = value;
    // Through CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    else if (key === "style") Object.assign(element.style, value);
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function say(text, kind = "info") {
  const message = $("message");
  message.textContent = text;
  message.className = kind;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: {
      authorization: `Bearer ${state.token}`,
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
    },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

const localTime = (iso) => (iso ? new Date(iso).toLocaleString(currentLanguage() === "zh" ? "zh-CN" : "en-GB") : "–");
const number = (n) => (n ?? 0).toLocaleString(currentLanguage() === "zh" ? "zh-CN" : "en-GB");
const can = (role) => state.me !== undefined && roleRank[state.me.role] >= roleRank[role];

// ---- sign in, stream --------------------------------------------------------------------

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/api/me");
  } catch (error) {
    state.me = undefined;
    sessionStorage.removeItem("fangcang.token");
    say(error.message, "error");
    return;
  }
  sessionStorage.setItem("fangcang.token", token);
  $("who").textContent = `${state.me.subject} · ${t(`role.${state.me.role}`)}`;
  $("who").hidden = false;
  $("sign-out").hidden = false;
  $("sign-in").hidden = true;
  $("dashboard").hidden = false;
  $("register-panel").hidden = !can("admin");
  say("");
  follow();
}

function signOut() {
  state.stream?.abort();
  state.stream = undefined;
  state.me = undefined;
  state.token = "";
  sessionStorage.removeItem("fangcang.token");
  $("dashboard").hidden = true;
  $("who").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  say(t("signedOut"));
}

/** Reads the text/event-stream; reconnects after a pause if it ends while signed in. */
async function follow() {
  state.stream?.abort();
  const controller = new AbortController();
  state.stream = controller;
  try {
    const response = await fetch("/api/stream", {
      headers: { authorization: `Bearer ${state.token}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        handleStreamEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    say(error.message, "error");
  }
  if (state.stream === controller && state.me !== undefined) setTimeout(follow, 2_000);
}

function handleStreamEvent(block) {
  let type = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  if (type !== "overview" || data === "") return;
  lastOverview = JSON.parse(data);
  renderOverview(lastOverview);
  void refreshDetails();
}

/** One refresh at a time; an overview arriving meanwhile asks for one more. */
async function refreshDetails() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      const [facilities, queue, transfers, escalations, districts] = await Promise.all([
        api("/api/facilities"),
        api("/api/queue?limit=15"),
        api("/api/transfers?limit=15"),
        api("/api/escalations?limit=10"),
        api("/api/districts"),
      ]);
      lastDetails = { facilities, queue, transfers, escalations, districts };
      renderDetails();
    } while (refreshAgain);
  } catch (error) {
    say(error.message, "error");
  } finally {
    refreshing = false;
  }
}

// ---- rendering --------------------------------------------------------------------------

function renderOverview(o) {
  $("as-of").textContent = o.asOf ? `${t("asOf")} ${localTime(o.asOf)}` : "";
  $("ready").textContent = o.ready ? t("ready") : t("notReady");
  $("ready").className = `badge ${o.ready ? "ok" : "warn"}`;
  $("t-total").textContent = number(o.beds.total);
  $("t-free").textContent = number(o.beds.free);
  $("t-held").textContent = number(o.beds.held);
  $("t-occupied").textContent = number(o.beds.occupied);
  $("t-waiting").textContent = number(o.waiting);
  $("t-inflight").textContent = number(o.inFlight);
  $("t-overdue").textContent = number(o.overdue);
  $("t-escalations").textContent = number(o.escalations);
  renderChart($("chart"), o.series, t);
  renderPriorities(o.waitingByPriority, o.waiting);
  renderKinds(o.bedsByKind);
}

function bar(beds, testid) {
  const total = Math.max(beds.total, 1);
  const part = (kind, n) => el("span", { class: kind, style: { width: `${(100 * n) / total}%` } });
  return el(
    "div",
    { class: "bar-row", "data-testid": testid },
    el("div", { class: "bar" }, part("occupied", beds.occupied), part("held", beds.held), part("free", beds.free)),
    el(
      "span",
      { class: "bar-numbers" },
      `${number(beds.occupied)} / ${number(beds.held)} / ${number(beds.free)} · ${t("total")} ${number(beds.total)}`,
    ),
  );
}

function renderKinds(bedsByKind) {
  const rows = kinds.flatMap((kind) =>
    bedsByKind
      .filter((b) => b.kind === kind)
      .map((b) =>
        el(
          "div",
          { class: "kind-row" },
          el("span", { class: "label" }, `${t(`kind.${kind}`)} · ${t(`bedClass.${b.bedClass}`)}`),
          bar(b, `kind-${kind}-${b.bedClass}`),
        ),
      ),
  );
  $("kinds").replaceChildren(...rows);
}

function renderPriorities(byPriority, waiting) {
  const max = Math.max(1, ...byPriority.map((p) => p.count));
  const rows = byPriority.map((p) =>
    el(
      "div",
      { class: "kind-row", "data-testid": `priority-${p.priority}` },
      el("span", { class: "label" }, `${t("priority")} ${p.priority}`),
      el("div", { class: "bar" }, el("span", { class: "waiting", style: { width: `${(100 * p.count) / max}%` } })),
      el("span", { class: "bar-numbers" }, number(p.count)),
    ),
  );
  $("priorities").replaceChildren(
    ...(rows.length > 0 ? rows : [el("p", { class: "muted" }, `${t("waiting")}: ${waiting}`)]),
  );
}

function facilityControls(f) {
  if (!can("operator") || f.kind === null) return [];
  const bedClass = el(
    "select",
    { "aria-label": t("bedClass"), "data-testid": `beds-class-${f.facilityId}` },
    bedClasses.map((c) => el("option", { value: c, selected: f.beds[c] !== undefined }, t(`bedClass.${c}`))),
  );
  const total = el("input", {
    type: "number",
    min: 0,
    class: "narrow",
    "aria-label": t("total"),
    "data-testid": `beds-total-${f.facilityId}`,
  });
  const setBeds = el(
    "button",
    {
      type: "button",
      "data-testid": `set-beds-${f.facilityId}`,
      onclick: () =>
        act(`/api/facilities/${encodeURIComponent(f.facilityId)}/beds`, {
          bedClass: bedClass.value,
          total: total.value === "" ? Number.NaN : Number(total.value),
        }),
    },
    t("setBeds"),
  );
  const statusButton = (status, label) =>
    el(
      "button",
      {
        type: "button",
        class: status === "open" ? "" : "secondary",
        disabled: f.status === status,
        "data-testid": `status-${status}-${f.facilityId}`,
        onclick: () => act(`/api/facilities/${encodeURIComponent(f.facilityId)}/status`, { status }),
      },
      t(label),
    );
  return [
    el(
      "div",
      { class: "controls" },
      bedClass,
      total,
      setBeds,
      statusButton("paused", "pause"),
      statusButton("closed", "close"),
      statusButton("open", "reopen"),
    ),
  ];
}

function renderFacilities(list) {
  const rows = list.items.map((f) =>
    el(
      "div",
      { class: `facility ${f.status}`, "data-testid": `facility-${f.facilityId}` },
      el(
        "div",
        { class: "facility-head" },
        el("strong", {}, f.name ?? f.facilityId),
        el("span", { class: "muted" }, ` ${f.facilityId} · ${t(`kind.${f.kind ?? "unknown"}`)} · ${f.district ?? "–"}`),
        el("span", { class: `badge ${f.status}`, "data-testid": `status-${f.facilityId}` }, t(`status.${f.status}`)),
      ),
      bedClasses
        .filter((c) => f.beds[c] !== undefined)
        .map((c) =>
          el(
            "div",
            { class: "kind-row" },
            el("span", { class: "label" }, t(`bedClass.${c}`)),
            bar(f.beds[c], `beds-${f.facilityId}-${c}`),
          ),
        ),
      facilityControls(f),
    ),
  );
  $("facilities").replaceChildren(...rows);
}

const cell = (text, attributes = {}) => el("td", attributes, text);

function renderDetails() {
  const { facilities, queue, transfers, escalations, districts } = lastDetails;
  if (facilities === undefined) return;
  renderFacilities(facilities);
  $("queue").replaceChildren(
    ...queue.items.map((c) =>
      el(
        "tr",
        {},
        cell(el("a", { href: "#", onclick: (e) => showCase(e, c.caseId) }, c.caseId)),
        cell(c.priority),
        cell(c.route ? t(`kind.${c.route}`) : "–"),
        cell(localTime(c.waitingSince)),
      ),
    ),
  );
  $("transfers").replaceChildren(
    ...transfers.items.map((x) =>
      el(
        "tr",
        { class: x.overdue ? "overdue" : "" },
        cell(el("a", { href: "#", onclick: (e) => showCase(e, x.caseId) }, x.caseId)),
        cell(x.facilityId),
        cell(t(`bedClass.${x.bedClass}`)),
        cell(localTime(x.holdExpiresAt)),
      ),
    ),
  );
  $("escalation-list").replaceChildren(
    ...escalations.items.map((x) => el("tr", {}, cell(x.caseId), cell(x.fromFacilityId), cell(localTime(x.at)))),
  );
  renderDistricts(districts);
}

/** The window's three days and today as small bars; red where 1 per 100,000 or more. */
function trend(row) {
  const rates = [...row.ratesPer100k, (row.today * 100_000) / row.population];
  const top = Math.max(1, ...rates);
  return el(
    "span",
    { class: "trend", title: rates.map((r) => r.toFixed(2)).join(" · ") },
    rates.map((rate, i) =>
      el("span", {
        class: `${rate >= 1 ? "over" : rate > 0 ? "under" : "zero"}${i === rates.length - 1 ? " today" : ""}`,
        style: { height: `${Math.max(8, (100 * rate) / top)}%` },
      }),
    ),
  );
}

function renderDistricts(d) {
  $("district-window").textContent = d.window.length > 0 ? `${t("window")}: ${d.window[0]} – ${d.window[2]}` : "";
  ["d0", "d1", "d2"].forEach((id, i) => {
    $(id).textContent = d.window[i]?.slice(5) ?? "";
  });
  const zh = currentLanguage() === "zh";
  $("districts").replaceChildren(
    ...d.districts.map((row) =>
      el(
        "tr",
        { "data-testid": `district-${row.district}` },
        cell(zh ? row.nameZh : row.district),
        cell(el("span", { class: `badge ${row.status}` }, t(`clearing.${row.status}`))),
        row.counts.map((n, i) => cell(n, { title: `${row.ratesPer100k[i].toFixed(2)} / 100,000` })),
        row.counts.length === 0 ? [cell("–"), cell("–"), cell("–")] : [],
        cell(row.today, { "data-testid": `district-today-${row.district}` }),
        cell(trend(row)),
      ),
    ),
  );
  const options = $("district-options");
  if (options.children.length === 0) {
    options.append(...d.districts.map((row) => el("option", { value: row.district }, `${row.district} ${row.nameZh}`)));
  }
}

async function showCase(event, caseId) {
  event?.preventDefault();
  try {
    const c = await api(`/api/cases/${encodeURIComponent(caseId)}`);
    $("case").replaceChildren(
      el("p", {}, el("strong", {}, c.caseId), ` · ${c.status} · ${c.district ?? "–"} · ${c.severity ?? "–"}`),
      el(
        "ol",
        { class: "history" },
        c.history.map((h) =>
          el(
            "li",
            {},
            el("code", {}, h.type),
            ` ${localTime(h.time)} · ${h.source}`,
            Array.isArray(h.data.reasons) ? el("div", { class: "muted" }, h.data.reasons.join(", ")) : undefined,
          ),
        ),
      ),
    );
  } catch (error) {
    $("case").replaceChildren(el("p", { class: "error" }, error.status === 404 ? t("noCase") : error.message));
  }
}

async function act(path, body) {
  try {
    await api(path, { method: "POST", body: JSON.stringify(body) });
    say(t("accepted"), "ok");
  } catch (error) {
    say(error.message, "error");
  }
}

// ---- wiring -----------------------------------------------------------------------------

$("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  void signIn($("token").value.trim());
});
$("sign-out").addEventListener("click", signOut);
$("lang").addEventListener("click", () => {
  setLanguage(currentLanguage() === "zh" ? "en" : "zh");
  $("lang").textContent = currentLanguage() === "zh" ? "English" : "中文";
  if (state.me) $("who").textContent = `${state.me.subject} · ${t(`role.${state.me.role}`)}`;
  if (lastOverview) renderOverview(lastOverview);
  renderDetails();
});
$("register").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const beds = {};
  for (const c of bedClasses) {
    const n = Number(form.get(c));
    if (n > 0) beds[c] = n;
  }
  void act("/api/facilities", {
    facilityId: form.get("facilityId"),
    name: form.get("name"),
    kind: form.get("kind"),
    district: form.get("district"),
    beds,
    capabilities: [],
  });
});
$("case-lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  void showCase(undefined, new FormData(event.target).get("caseId"));
});

setLanguage(currentLanguage());
$("lang").textContent = currentLanguage() === "zh" ? "English" : "中文";
if (state.token) void signIn(state.token);
else say(t("needToken"));
