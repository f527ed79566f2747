/* Autosave for application drafts: a debounced POST of the form (no files) to the JSON autosave
   endpoint, and a copy in localStorage so nothing typed is lost when a session ends mid-edit.
   Each change gets a revision id; the server keeps the id of what it saved, so on the next page
   load a local copy the server never received is restored (and saved) and the user is told.
   The page also carries the draft's revision (base_revision): when a colleague saved a newer
   version, the server refuses the save and names them; autosaving stops (so nothing of theirs is
   overwritten unasked) and the next "Save draft" keeps this page's version on purpose. */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.autosaveUrl, key = form.dataset.storageKey, loginUrl = form.dataset.loginUrl;
  var statusEl = document.getElementById("save-status"), notice = document.getElementById("restore-notice");
  var revInput = document.createElement("input");
  revInput.type = "hidden"; revInput.name = "client_rev"; revInput.value = form.dataset.serverRev || "";
  form.appendChild(revInput);
  var SKIP = { csrf_token: 1, submit_token: 1, action: 1, client_rev: 1 };
  var timer = null, saving = false, again = false, submitting = false, conflictRev = null;
  var baseInput = document.getElementById("base-revision"), lastEdited = document.getElementById("last-edited-text");

  function newRev() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }
  function pairs() {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "submit" || el.disabled) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { out.push([el.name, o.value]); });
        return;
      }
      out.push([el.name, el.value]);
    });
    return out;
  }
  function readLocal() { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } }
  function writeLocal(rev) {
    try { localStorage.setItem(key, JSON.stringify({ rev: rev, at: Date.now(), fields: pairs() })); } catch (e) { /* full or private mode */ }
  }
  function say(text) { if (statusEl) { statusEl.textContent = text; } }
  // The page words every message in its language (data-msg-* on the form); {name} is filled in.
  function msg(name, values) {
    return (form.dataset["msg" + name] || "").replace(/\{(\w+)\}/g, function (all, k) {
      return values && values[k] !== undefined ? values[k] : all;
    });
  }
  function warn(html) { notice.innerHTML = html; notice.hidden = false; }
  function escapeHtml(s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }

  function post(fieldPairs, rev) {
    var body = new FormData();
    fieldPairs.forEach(function (p) { body.append(p[0], p[1]); });
    var token = form.querySelector("input[name=csrf_token]");
    if (token) { body.append("csrf_token", token.value); }
    body.append("client_rev", rev);
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) { data.httpStatus = r.status; return data; });
      });
  }
  function failed(data) {
    if (data.conflict) {
      conflictRev = data.revision;
      say(msg("Conflict"));
      warn(escapeHtml(data.error));
      return;
    }
    if (data.httpStatus === 409) {
      say(msg("Refused", { reason: data.error || msg("NotDraft") }));
      return;
    }
    say(msg("Kept"));
    warn(escapeHtml(msg("Session")).replace("{link}", "<a href=\"" + escapeHtml(data.login || loginUrl) + "\">")
         .replace("{/link}", "</a>"));
  }
  function save() {
    if (submitting || conflictRev !== null) { return; }
    if (saving) { again = true; return; }
    saving = true;
    var rev = revInput.value;
    say(msg("Saving"));
    post(pairs(), rev).then(function (data) {
      if (data.saved) {
        say(msg("Saved", { time: data.saved_at_text }));
        if (baseInput && data.revision !== undefined) { baseInput.value = data.revision; }
        if (lastEdited && data.last_edited) { lastEdited.textContent = data.last_edited + "."; }
        notice.hidden = notice.dataset.keep ? false : true;
        var local = readLocal();
        if (local && local.rev === rev) { localStorage.removeItem(key); }
      } else { failed(data); }
    }, function () {
      say(msg("Offline"));
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }
  function changed(ev) {
    if (ev.target.type === "file") { return checkFile(ev.target); }
    if (!ev.target.name) { return; }
    revInput.value = newRev();
    writeLocal(revInput.value);
    updateTotal();
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }
  function checkFile(input) {
    var max = parseInt(form.dataset.maxBytes || "0", 10);
    if (max && input.files && input.files[0] && input.files[0].size > max) {
      var id = input.id + "-client-error", p = document.getElementById(id);
      if (!p) { p = document.createElement("p"); p.id = id; p.className = "error"; input.parentNode.insertBefore(p, input); }
      p.textContent = msg("TooLarge", { size: form.dataset.maxText });
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + id).trim());
      input.value = "";
    }
  }
  // Amounts are read as the page writes numbers ("18.750,50" in Spanish), as the server reads them
  // (grantflow/core/money.py, typed_dollars_to_cents); what it would refuse leaves the total alone.
  var lang = document.documentElement.lang || "en", parts = {};
  new Intl.NumberFormat(lang).formatToParts(12345.6).forEach(function (p) { parts[p.type] = p.value; });
  var esc = function (c) { return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); };
  var group = /\s/.test(parts.group || " ") ? "" : esc(parts.group), point = esc(parts.decimal || ".");
  var amount = new RegExp("^(\\d{1,3}(?:" + (group || "(?!)") + "\\d{3})+|\\d+)(?:" + point + "(\\d{0,2}))?$");
  function updateTotal() {
    var cents = 0, ok = true, out = document.getElementById("budget-total");
    if (!out) { return; }
    Array.prototype.forEach.call(form.querySelectorAll("input[name^=budget-][name$=-amount]"), function (el) {
      var v = el.value.replace(/US\$|\$|[\s\u00a0\u202f]/g, ""), m;
      if (!v) { return; }
      m = amount.exec(v);
      if (!m) { ok = false; return; }
      cents += parseInt(m[1].replace(/\D/g, ""), 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
    });
    if (ok) {
      out.textContent = new Intl.NumberFormat(lang, { style: "currency", currency: "USD" }).format(cents / 100);
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", function (ev) { if (ev.target.type !== "text" && ev.target.tagName !== "TEXTAREA") { changed(ev); } });
  form.addEventListener("submit", function (ev) {
    if (submitting) { ev.preventDefault(); return; }  // a double click sends one request
    submitting = true;
    clearTimeout(timer);
    if (conflictRev !== null && baseInput) { baseInput.value = conflictRev; }
    writeLocal(revInput.value);
  });
  window.addEventListener("pageshow", function () { submitting = false; });

  // On load: a local copy the server never received is saved now, then shown by reloading.
  var restored = sessionStorage.getItem(key + "-restored");
  if (restored) {
    sessionStorage.removeItem(key + "-restored");
    notice.dataset.keep = "1";
    var when = new Date(parseInt(restored, 10)).toLocaleString(document.documentElement.lang || undefined);
    warn(escapeHtml(msg("Restored", { when: when })));
  }
  var local = readLocal();
  if (local && local.rev && local.rev !== (form.dataset.serverRev || "")) {
    say(msg("Restoring"));
    post(local.fields, local.rev).then(function (data) {
      if (data.saved) {
        localStorage.removeItem(key);
        sessionStorage.setItem(key + "-restored", String(local.at));
        window.location.reload();
      } else {
        failed(data);
      }
    });
  } else if (local) {
    localStorage.removeItem(key);
  }
})();
