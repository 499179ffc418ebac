/* The quote builder panel and the client's quote page: copy the client link, print the quote.
   Listeners sit on the document, so the panel works the same after HTMX swaps it in again. Without
   JavaScript the link is still shown in its box to select and copy by hand, and the browser prints. */
(function () {
  "use strict";

  function say(box, text) {
    var note = box && box.querySelector("[data-copy-status]");
    if (note) note.textContent = text;
  }

  /* The old way, for browsers without the asynchronous clipboard (or pages not served over HTTPS). */
  function copyBySelecting(input, box) {
    input.focus();
    input.select();
    var copied = false;
    try {
      copied = document.execCommand && document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(box, copied ? "Copied. Paste it into your message to the client."
                    : "The link is selected: press Ctrl+C (or ⌘C) to copy it.");
  }

  function copyLink(button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) return;
    var box = button.closest("[data-copy-box]");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () {
        input.select();
        say(box, "Copied. Paste it into your message to the client.");
      }, function () {
        copyBySelecting(input, box);
      });
    } else {
      copyBySelecting(input, box);
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var copy = target.closest("[data-copy-target]");
    if (copy) {
      event.preventDefault();
      copyLink(copy);
      return;
    }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });

  /* A click in the read-only link box selects the whole link. */
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("input[data-select-all]")) target.select();
  });
})();
