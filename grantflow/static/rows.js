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
    if (all.length >= MAX[prefix]) { say("You can add at most " + MAX[prefix] + " rows here."); return; }
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
    say(body(prefix).dataset.rowNoun + " " + n + " added.");
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
      say(body(prefix).dataset.rowNoun + " 1 emptied.");
      changed(firstField(tr));
      return;
    }
    tr.remove();
    renumber(prefix);
    var rest = rows(prefix), next = rest[Math.min(index, rest.length - 1)];
    firstField(next).focus();
    say(body(prefix).dataset.rowNoun + " " + (index + 1) + " removed. " + rest.length + " left.");
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
