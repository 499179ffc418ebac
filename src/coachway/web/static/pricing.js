/* Pricing pages: the modifier form shows the conditions of the chosen type (and any other condition already
   filled in); the rest fold away behind "Show other conditions". Without JavaScript every condition shows. */
(function () {
  "use strict";

  function filled(block) {
    var inputs = block.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "checkbox" && input.checked) || (input.type !== "checkbox" && input.value.trim())) return true;
    }
    return false;
  }

  function setUp(form) {
    var select = form.querySelector('select[name="modifier_type"]');
    var blocks = form.querySelectorAll(".condition[data-types]");
    if (!select || !blocks.length) return;
    var showAll = false;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button-link conditions-toggle";
    toggle.setAttribute("aria-expanded", "false");
    toggle.textContent = "Show other conditions";
    blocks[blocks.length - 1].after(toggle);

    function update() {
      var hidden = 0;
      blocks.forEach(function (block) {
        var mine = block.dataset.types.split(" ").indexOf(select.value) !== -1;
        var show = showAll || mine || filled(block) || block.querySelector(".field-error");
        block.hidden = !show;
        block.classList.toggle("needed", mine);
        if (!show) hidden += 1;
      });
      toggle.hidden = hidden === 0 && !showAll;
      toggle.textContent = showAll ? "Hide other conditions" : "Show other conditions";
      toggle.setAttribute("aria-expanded", String(showAll));
    }

    select.addEventListener("change", update);
    toggle.addEventListener("click", function () { showAll = !showAll; update(); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.modifier-form").forEach(setUp);
  });
})();
