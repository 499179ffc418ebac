/* The public quote calculator: after HTMX swaps in a new estimate (or the errors), bring it into view and
   move focus there so screen readers announce it. Without JavaScript the form posts whole pages instead. */
document.addEventListener("htmx:afterSettle", function (event) {
  var calculator = document.getElementById("calculator");
  if (!calculator || !(event.target === calculator || calculator.contains(event.target))) return;
  var target = calculator.querySelector(".alert[tabindex]") || document.getElementById("estimate");
  if (!target || target === document.activeElement) return;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ behavior: "smooth", block: "start" });
});
