/* CoachWay pages: the phone menu toggle. Loaded in <head> so the "js" class is set before first paint. */
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".menu-toggle");
  var nav = document.getElementById("site-nav");
  if (!button || !nav) return;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("open", !open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      nav.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
  /* Move focus to an error summary so screen readers announce what went wrong. */
  var summary = document.querySelector("main .alert.error[tabindex]");
  if (summary) summary.focus();
});
