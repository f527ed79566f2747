/* Budget lines and outcomes added and removed in place (progressive enhancement of the edit
   page's "Add…" / "Remove…" buttons, which without JavaScript make a server round trip that comes
   back at the row). A new row is a copy of the last one, emptied; rows are renumbered after a
   removal (field names budget-<n>-<part>, ids, the numbers in labels and buttons) so the form
   posts exactly what the server would have built. Focus moves to the new row's first field, or
   to the row that took a removed one's place; a polite live region says what happened. The
   change is then autosaved like any other edit. */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) { return; }
  var live = document.getElementById("rows-live");
  var MAX = { budget: 50, outcomes: 20 };

  function say(text) { if (live) { live.textContent = text; } }
  // Each table words its messages in the page's language (data-msg-* on its tbody).
  function msg(prefix, name, values) {
    return (body(prefix).dataset["msg" + name] || "").replace(/\{(\w+)\}/g, function (all, k) {
      return values && values[k] !== undefined ? String(values[k]) : all;
    });
  }
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
  function body(prefix) { return form.querySelector("tbody[data-rows=" + prefix + "]"); }
  function rows(prefix) { return Array.prototype.slice.call(body(prefix).querySelectorAll("tr")); }
  function renumber(prefix) {
    var pattern = new RegExp("^" + prefix + "-\\d+-");
    rows(prefix).forEach(function (tr, i) {
      tr.id = prefix + "-row-" + i;
      Array.prototype.forEach.call(tr.querySelectorAll("[name], [id], label[for]"), function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v && pattern.test(v)) { el.setAttribute(attr, v.replace(pattern, prefix + "-" + i + "-")); }
        });
      });
      Array.prototype.forEach.call(tr.querySelectorAll(".row-number"), function (s) { s.textContent = String(i + 1); });
      var remove = tr.querySelector("[data-remove-row]");
      if (remove) { remove.value = remove.value.replace(/:\d+$/, ":" + i); }
    });
  }
  function firstField(tr) { return tr.querySelector("input, select, textarea"); }
  function changed(el) { if (el) { el.dispatchEvent(new Event("input", { bubbles: true })); } }

  function add(prefix) {
    var all = rows(prefix);
    if (all.length >= MAX[prefix]) { say(msg(prefix, "Max")); return; }
    var copy = all[all.length - 1].cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".error"), function (p) { p.remove(); });
    Array.prototype.forEach.call(copy.querySelectorAll("input, select, textarea"), function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      el.removeAttribute("autofocus");
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
    });
    body(prefix).appendChild(copy);
    renumber(prefix);
    var n = rows(prefix).length;
    firstField(copy).focus();
    say(msg(prefix, "Added", { n: n }));
    changed(firstField(copy));
  }
  function remove(button) {
    var tr = button.closest("tr"), prefix = tr.parentNode.dataset.rows;
    var all = rows(prefix), index = all.indexOf(tr);
    if (all.length === 1) {  // the last row is emptied rather than removed: the table keeps one
      Array.prototype.forEach.call(tr.querySelectorAll("input, select, textarea"), function (el) {
        if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
      });
      firstField(tr).focus();
      say(msg(prefix, "Emptied"));
      changed(firstField(tr));
      return;
    }
    tr.remove();
    renumber(prefix);
    var rest = rows(prefix), next = rest[Math.min(index, rest.length - 1)];
    firstField(next).focus();
    var which = plural && plural.select(rest.length) === "one" ? "RemovedOne" : "RemovedOther";
    say(msg(prefix, which, { n: index + 1, left: rest.length }));
    changed(firstField(next));
  }

  form.addEventListener("click", function (ev) {
    var addButton = ev.target.closest("[data-add-row]");
    var removeButton = ev.target.closest("[data-remove-row]");
    if (addButton) { ev.preventDefault(); add(addButton.dataset.addRow); }
    else if (removeButton) { ev.preventDefault(); remove(removeButton); }
  });
  // Enter in a one-line field saves (autosave) instead of sending the whole page back to the top.
  form.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (ev.key === "Enter" && el.tagName === "INPUT" && el.type !== "submit" && el.type !== "file") {
      ev.preventDefault();
      changed(el);
    }
  });
})();
