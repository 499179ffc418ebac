/* Copying a charter to other dates and recurring series (charters/series_pages.py).
   - The copy calendar: ticked days are listed as chips (with a remove button), arrow keys move between days.
   - The recurring wizard: the builder's choices compose the RRULE in its text field (as the server does
     when the field is left empty), and the weekday picks hide for monthly series.
   Listeners sit on the document, so they keep working after HTMX swaps parts of the page in. Without
   JavaScript the server re-renders the chips and composes the rule. */
(function () {
  "use strict";

  var DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

  /* ------------------------------------------------------------ the copy calendar */

  function chipsBox(from) {
    var calendar = from.closest ? from.closest("#clone-calendar") : null;
    return calendar || document.getElementById("clone-calendar");
  }

  function chosen(calendar) {
    var out = [];
    calendar.querySelectorAll("input[name='new_dates']").forEach(function (input) {
      if (input.type === "hidden" || input.checked) {
        out.push({ iso: input.value, text: input.getAttribute("data-text") || shortText(input.value) });
      }
    });
    out.sort(function (a, b) { return a.iso < b.iso ? -1 : a.iso > b.iso ? 1 : 0; });
    return out;
  }

  function shortText(iso) {
    var parts = iso.split("-");
    var day = new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2]));
    return day.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  }

  function chipLabel(text) {
    /* "Monday 2 March 2026" -> "Mon 2 Mar 2026", as the server writes chips. */
    var words = text.split(" ");
    if (words.length === 4) return words[0].slice(0, 3) + " " + words[1] + " " + words[2].slice(0, 3) + " " + words[3];
    return text;
  }

  function drawChips(calendar) {
    var list = calendar.querySelector("[data-chips]");
    if (!list) return;
    var picks = chosen(calendar);
    list.textContent = "";
    picks.forEach(function (pick) {
      var item = document.createElement("li");
      item.className = "chip";
      item.setAttribute("data-iso", pick.iso);
      var label = chipLabel(pick.text);
      item.appendChild(document.createTextNode(label));
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chip-remove";
      button.setAttribute("data-unpick", pick.iso);
      button.setAttribute("aria-label", "Remove " + label);
      button.textContent = "×";
      item.appendChild(button);
      list.appendChild(item);
    });
    var count = calendar.querySelector("[data-chip-count]");
    if (count) count.textContent = "(" + picks.length + ")";
    var none = calendar.querySelector("[data-chips-none]");
    if (none) none.hidden = picks.length > 0;
  }

  function unpick(button) {
    var calendar = chipsBox(button);
    var iso = button.getAttribute("data-unpick");
    calendar.querySelectorAll("input[name='new_dates']").forEach(function (input) {
      if (input.value !== iso) return;
      if (input.type === "hidden") input.remove();
      else input.checked = false;
    });
    drawChips(calendar);
    var next = calendar.querySelector(".chip-remove") || calendar.querySelector(".cal-box:not([disabled])");
    if (next) next.focus();
  }

  function moveFocus(box, key) {
    var boxes = Array.prototype.slice.call(box.closest("table").querySelectorAll(".cal-box"));
    var step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[key];
    var index = boxes.indexOf(box) + step;
    while (index >= 0 && index < boxes.length) {
      if (!boxes[index].disabled) {
        boxes[index].focus();
        return true;
      }
      index += step > 0 ? 1 : -1;
    }
    return false;
  }

  /* The copy section is folded until asked for: its link (or an address ending in #clone) opens it. */
  function openClone() {
    var section = document.getElementById("clone");
    if (section && section.tagName === "DETAILS") section.open = true;
  }

  /* ------------------------------------------------------------ the rule builder */

  function part(form, name) {
    return form.querySelector("[data-part='" + name + "']");
  }

  function composeRule(form) {
    var freq = part(form, "freq").value || "WEEKLY";
    var parts = ["FREQ=" + freq];
    var interval = parseInt(part(form, "interval").value, 10);
    if (interval > 1) parts.push("INTERVAL=" + interval);
    if (freq === "DAILY" || freq === "WEEKLY") {
      var days = DAYS.filter(function (code) {
        var box = form.querySelector("[data-part='byday'][value='" + code + "']");
        return box && box.checked;
      });
      if (days.length) parts.push("BYDAY=" + days.join(","));
    }
    var ends = form.querySelector("[data-part='ends']:checked");
    var until = part(form, "until").value;
    var count = parseInt(part(form, "count").value, 10);
    if (ends && ends.value === "until") {
      if (until) parts.push("UNTIL=" + until.replace(/-/g, ""));
    } else if (count > 0) {
      parts.push("COUNT=" + count);
    }
    return parts.join(";");
  }

  function showWeekdays(form) {
    var freq = part(form, "freq").value;
    form.classList.toggle("monthly", freq === "MONTHLY");
  }

  function builderChanged(form, target) {
    if (target.getAttribute("data-part") === "count") {
      var after = form.querySelector("#f-ends-count");
      if (after) after.checked = true;
    }
    if (target.getAttribute("data-part") === "until") {
      var on = form.querySelector("#f-ends-until");
      if (on) on.checked = true;
    }
    var rule = composeRule(form);
    form.querySelector("[data-rule]").value = rule;
    form.querySelector("[data-composed]").value = rule;
    showWeekdays(form);
  }

  /* Capture: the rule is composed before htmx reads the form for the preview. */
  function onEdit(event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var form = target.closest("[data-rule-builder]");
    if (form && target.hasAttribute("data-part")) builderChanged(form, target);
    if (event.type === "change" && target.classList.contains("cal-box")) drawChips(chipsBox(target));
  }
  document.addEventListener("input", onEdit, true);
  document.addEventListener("change", onEdit, true);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var jump = target.closest("a[href='#clone']");
    if (jump) openClone();
    var remove = target.closest("[data-unpick]");
    if (remove) {
      event.preventDefault();
      unpick(remove);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || !target.classList || !target.classList.contains("cal-box")) return;
    if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"].indexOf(event.key) < 0) return;
    if (moveFocus(target, event.key)) event.preventDefault();
  });

  /* After HTMX brings a refused copy back, say why: focus the error list. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var errors = event.target && event.target.querySelector && event.target.querySelector("#clone-errors");
    if (errors) errors.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rule-builder]").forEach(showWeekdays);
    if (window.location.hash === "#clone") openClone();
  });
})();
