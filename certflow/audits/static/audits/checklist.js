/* On-site checklist: each item saves on its own; typed text stays in localStorage until the server
   confirms it, and is re-sent when the connection returns. Replays are idempotent (client_token); an
   edit based on an older revision comes back as a conflict (409) and is shown, never overwritten. */
(function () {
  "use strict";
  var box = document.getElementById("checklist-i18n");
  if (!box || !window.fetch) return;
  var t = box.dataset;
  var syncState = document.getElementById("sync-state");
  var PREFIX = "certflow:finding:";
  var inFlight = {};

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function keyOf(form) { return PREFIX + form.dataset.audit + ":" + form.dataset.item; }
  function load(key) { try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; } }
  function store(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full: keep in memory */ } }
  function drop(key) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  function field(form, name) { return form.querySelector('[name$="-' + name + '"]'); }
  function revision(form) { return parseInt(field(form, "revision").value || "0", 10); }

  function values(form) {
    var checked = form.querySelector('input[name$="-result"]:checked');
    return { result: checked ? checked.value : "", note: field(form, "note").value, na_reason: field(form, "na_reason").value };
  }
  function fill(form, v) {
    form.querySelectorAll('input[name$="-result"]').forEach(function (r) { r.checked = r.value === v.result; });
    field(form, "note").value = v.note || "";
    field(form, "na_reason").value = v.na_reason || "";
  }
  function ready(v) {
    if (!v.result) return false;
    if ((v.result === "minor" || v.result === "major") && !v.note.trim()) return false;
    if (v.result === "not_applicable" && !v.na_reason.trim()) return false;
    return true;
  }
  function say(form, text, cls) {
    var el = form.querySelector("[data-state]");
    el.textContent = text;
    el.className = "save-state small " + (cls || "muted");
  }
  function pendingCount() {
    var n = 0;
    for (var i = 0; i < localStorage.length; i++) { if (localStorage.key(i).indexOf(PREFIX) === 0) n++; }
    return n;
  }
  function refreshSync() {
    if (!syncState) return;
    var n = pendingCount();
    if (!navigator.onLine) { syncState.textContent = syncState.dataset.offline + (n ? "（" + n + " " + syncState.dataset.pending + "）" : ""); syncState.className = "sync-state offline"; }
    else if (n) { syncState.textContent = n + " " + syncState.dataset.pending; syncState.className = "sync-state pending"; }
    else { syncState.textContent = syncState.dataset.synced; syncState.className = "sync-state"; }
  }

  /* Keep what was typed: every keystroke updates the draft; a changed draft gets a fresh token, the
     tokens already sent are remembered so our own earlier save is recognised in a conflict answer. */
  function remember(form) {
    var key = keyOf(form);
    var draft = load(key) || { base: revision(form), sent: [] };
    var v = values(form);
    if (draft.token && draft.sent.indexOf(draft.token) < 0 && draft.result === v.result && draft.note === v.note && draft.na_reason === v.na_reason) return draft;
    draft.result = v.result; draft.note = v.note; draft.na_reason = v.na_reason;
    draft.token = newToken();
    store(key, draft);
    refreshSync();
    return draft;
  }

  function applySaved(form, finding, score) {
    field(form, "revision").value = finding.revision;
    var article = form.closest(".finding-item");
    article.className = "finding-item result-" + finding.result;
    var pts = article.querySelector("[data-points]");
    if (pts) pts.textContent = finding.points === null ? "—" : finding.points;
    if (score) {
      var s = document.getElementById("onsite-score"); if (s) s.textContent = score.score === null ? "—" : score.score;
      var a = document.getElementById("answered-count"); if (a) a.textContent = score.answered;
    }
    say(form, t.saved + " " + finding.recorded_at.slice(11) + " · " + finding.recorded_by, "saved");
  }

  function showConflict(form, current) {
    var boxEl = form.querySelector("[data-conflict]");
    boxEl.hidden = false;
    boxEl.textContent = "";
    var p = document.createElement("p");
    p.textContent = t.conflict + " " + current.recorded_by + " " + current.recorded_at + " — " + current.result_label + (current.note ? "：" + current.note : "") + (current.na_reason ? "：" + current.na_reason : "");
    boxEl.appendChild(p);
    var row = document.createElement("div"); row.className = "button-row";
    var keep = document.createElement("button"); keep.type = "button"; keep.className = "button"; keep.textContent = t.keep;
    var take = document.createElement("button"); take.type = "button"; take.className = "button"; take.textContent = t.take;
    keep.addEventListener("click", function () {
      var key = keyOf(form), draft = load(key);
      if (draft) { draft.base = current.revision; draft.token = newToken(); store(key, draft); }
      boxEl.hidden = true; send(form);
    });
    take.addEventListener("click", function () {
      drop(keyOf(form)); fill(form, current); applySaved(form, current, null); boxEl.hidden = true; refreshSync();
    });
    row.appendChild(keep); row.appendChild(take); boxEl.appendChild(row);
    say(form, t.conflict, "failed");
    boxEl.scrollIntoView({ block: "nearest" });
  }

  function send(form) {
    var key = keyOf(form), draft = load(key);
    if (!draft || inFlight[key]) return;
    if (!ready(draft)) return;
    if (draft.sent.indexOf(draft.token) < 0) { draft.sent.push(draft.token); draft.sent = draft.sent.slice(-20); store(key, draft); }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("result", draft.result); body.append("note", draft.note); body.append("na_reason", draft.na_reason);
    body.append("revision", draft.base); body.append("client_token", draft.token);
    inFlight[key] = true;
    say(form, t.saving, "muted");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; }, function () { return { status: response.status, data: null }; });
      })
      .then(function (answer) {
        inFlight[key] = false;
        var now = load(key), data = answer.data;
        if (answer.status === 200 && data && data.ok) {
          if (now && now.token === draft.token) drop(key);
          else if (now) { now.base = data.finding.revision; store(key, now); setTimeout(function () { send(form); }, 0); }
          applySaved(form, data.finding, data.score);
        } else if (answer.status === 409 && data && data.current) {
          if (now && now.sent.indexOf(data.current.client_token) >= 0) {
            now.base = data.current.revision; store(key, now); send(form); /* our own earlier save arrived */
          } else { showConflict(form, data.current); }
        } else if (answer.status >= 500 || !data) {
          say(form, t.queued, "queued");
        } else {
          say(form, t.error + (data.message || ""), "failed");
        }
        refreshSync();
      })
      .catch(function () { inFlight[key] = false; say(form, t.queued, "queued"); refreshSync(); });
  }

  function sendAll() { document.querySelectorAll("form.finding-form").forEach(send); }

  document.querySelectorAll("form.finding-form").forEach(function (form) {
    var draft = load(keyOf(form));
    if (draft) { fill(form, draft); say(form, t.queued, "queued"); }
    form.addEventListener("input", function () { remember(form); });
    form.addEventListener("change", function () { remember(form); send(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); remember(form); send(form); });
  });
  window.addEventListener("online", function () { refreshSync(); sendAll(); });
  window.addEventListener("offline", refreshSync);
  setInterval(function () { if (navigator.onLine) sendAll(); }, 30000);
  refreshSync();
  sendAll();
})();
