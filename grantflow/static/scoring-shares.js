/* The scoring configuration's shares of the total, live as weights are typed: each rule in use
   counts by its weight over the weights of all rules in use (the total is their weighted mean,
   grantflow/scoring/results.py; engine.shares computes the same on the server). Without this
   script the table shows the shares of the form as it was last sent. */
(function () {
  "use strict";
  var table = document.getElementById("rule-shares");
  var form = document.getElementById("scoring-form");
  if (!table || !form) { return; }
  var rules = Array.prototype.map.call(form.querySelectorAll("fieldset[data-rule]"), function (fieldset) {
    var key = fieldset.getAttribute("data-rule");
    return {
      key: key,
      merit: fieldset.getAttribute("data-kind") === "merit",
      enabled: document.getElementById("rule_" + key + "-enabled"),
      weight: document.getElementById("rule_" + key + "-weight"),
      cell: table.querySelector('[data-share-of="' + key + '"]')
    };
  });
  var meritCell = document.getElementById("merit-share");
  var priorityCell = document.getElementById("priority-share");
  var warning = document.getElementById("share-warning");

  function weightOf(rule) {
    if (!rule.enabled || !rule.enabled.checked || !rule.weight) { return 0; }
    var value = parseFloat(rule.weight.value.replace(",", "."));
    return isFinite(value) && value > 0 ? value : 0;
  }
  function percent(share) { return Math.round(share * 100) + "%"; }

  function update() {
    var weights = rules.map(weightOf);
    var total = weights.reduce(function (a, b) { return a + b; }, 0);
    var merit = 0;
    rules.forEach(function (rule, i) {
      var share = total ? weights[i] / total : 0;
      if (rule.merit) { merit += share; }
      if (rule.cell) { rule.cell.textContent = percent(share); }
    });
    if (meritCell) { meritCell.textContent = percent(merit); }
    if (priorityCell) { priorityCell.textContent = percent(total ? 1 - merit : 0); }
    if (warning) { warning.hidden = !total || merit >= 0.5; }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}());
