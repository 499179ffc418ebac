/* Payments: keep "Left to apply" up to date while amounts are typed into the apply table, and offer
   "Pay in full" per charter. Without JavaScript the form still works; the server checks every amount. */
(function () {
  "use strict";

  function cents(text) {
    var clean = String(text || "").replace(/[$,\s]/g, "");
    if (!/^-?\d*(\.\d{0,2})?$/.test(clean) || clean === "" || clean === "-") return clean === "" ? 0 : NaN;
    return Math.round(parseFloat(clean) * 100);
  }

  function money(c) {
    var sign = c < 0 ? "−" : "";
    var s = (Math.abs(c) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + "$" + s;
  }

  function setUp(table) {
    var out = table.querySelector("[data-remainder]");
    var totalField = table.dataset.totalField ? document.getElementById(table.dataset.totalField) : null;
    var inputs = Array.prototype.slice.call(table.querySelectorAll("input.amount"));
    function available() {
      if (totalField) return cents(totalField.value);
      return cents(table.dataset.available);
    }
    function update() {
      var left = available();
      inputs.forEach(function (input) { left -= cents(input.value) || 0; });
      if (!out) return;
      if (isNaN(left)) { out.textContent = "—"; return; }
      out.textContent = money(left);
      out.classList.toggle("over", left < 0);
      out.title = left < 0 ? "More than the payment is being applied" : "";
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", update);
      var row = input.closest("tr");
      var cell = row && row.querySelector("[data-balance]");
      var fill = row && row.querySelector("button.fill");
      if (fill && cell) {
        fill.hidden = false;
        fill.addEventListener("click", function () {
          var others = 0;
          inputs.forEach(function (i) { if (i !== input) others += cents(i.value) || 0; });
          var room = cents(cell.dataset.balance);
          var free = available() - others;
          var amount = isNaN(free) ? room : Math.max(0, Math.min(room, free));
          input.value = (amount / 100).toFixed(2);
          update();
        });
      }
    });
    if (totalField) totalField.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("[data-apply-table]").forEach(setUp);
})();
