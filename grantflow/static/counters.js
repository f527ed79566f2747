/* Live counters for fields with a limit (data-limit-chars or data-limit-words; the field macro
   renders the counter and a polite live region next to the field). The count updates as one
   types; the live region, once typing pauses, so a screen reader is told without being
   interrupted at each key. Text over the limit is kept (the browser is not asked to cut it) and
   flagged here; the server says the same at the field when the form is sent. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  function words(text) { var m = text.trim().match(/\S+/g); return m ? m.length : 0; }
  // The counter carries its sentences in the page's language (data-left-one, data-over-other…).
  function say(counter, kind, n, limit) {
    var form = plural && plural.select(n) === "one" ? "One" : "Other";
    return (counter.dataset[kind + form] || "").replace("{num}", n.toLocaleString(lang))
      .replace("{limit}", limit.toLocaleString(lang));
  }
  function describe(el, counter) {
    var wordLimit = parseInt(el.dataset.limitWords || "0", 10);
    var limit = wordLimit || parseInt(el.dataset.limitChars || "0", 10);
    var used = wordLimit ? words(el.value) : el.value.length;
    if (used > limit) { return { over: true, text: say(counter, "over", used - limit, limit) }; }
    return { over: false, text: say(counter, "left", limit - used, limit) };
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-counter-for]"), function (counter) {
    var el = document.getElementById(counter.dataset.counterFor);
    var live = document.getElementById(counter.id + "-live");
    if (!el) { return; }
    var timer = null;
    function update(announce) {
      var state = describe(el, counter);
      counter.textContent = state.text;
      counter.classList.toggle("over", state.over);
      if (state.over) { el.setAttribute("aria-invalid", "true"); }
      else if (!document.getElementById(el.id + "-error")) { el.removeAttribute("aria-invalid"); }
      if (announce && live) {
        clearTimeout(timer);
        timer = setTimeout(function () { live.textContent = state.text; }, 700);
      }
    }
    el.addEventListener("input", function () { update(true); });
    update(false);
  });
})();
