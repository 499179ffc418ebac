/* Lead pages: drag a card across the pipeline to move a lead (SortableJS), and drag the round-robin
   queue into a new order. Without JavaScript both pages still work: each card has a "Move to" list and
   each queue row has Up / Down buttons and a turn number. */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- the pipeline */

  function say(board, text, kind) {
    var box = document.getElementById("pipeline-message");
    if (!box) return;
    box.textContent = "";
    if (!text) return;
    var alert = document.createElement("div");
    alert.className = "alert " + (kind || "error");
    alert.textContent = text;
    box.appendChild(alert);
  }

  function markEmpty(list) {
    list.classList.toggle("is-empty", !list.querySelector(".lead-card"));
  }

  function stageOf(list) {
    return list.closest(".stage");
  }

  function bump(list, by, value) {
    var stage = stageOf(list);
    if (!stage) return;
    var count = stage.querySelector(".stage-count");
    var n = parseInt(count.dataset.count || count.textContent, 10) + by;
    count.dataset.count = String(n);
    count.textContent = String(n);
    var total = stage.querySelector(".stage-value");
    if (total && value) {
      var now = parseFloat((total.dataset.value || total.firstChild.textContent).replace(/[$,\s]/g, "")) || 0;
      var next = Math.max(0, now + by * value);
      total.dataset.value = String(next);
      total.firstChild.textContent = "$" + Math.round(next).toLocaleString("en-US") + " ";
    }
  }

  /* Put the card back where it was dragged from. */
  function snapBack(card, from, oldIndex) {
    var cards = Array.prototype.filter.call(from.children, function (el) { return el !== card; });
    from.insertBefore(card, cards[oldIndex] || null);
    card.classList.remove("refused");
    void card.offsetWidth; /* restart the shake */
    card.classList.add("refused");
  }

  function rebuildMoveList(card, allowed) {
    var select = card.querySelector(".card-move select");
    if (!select) return;
    while (select.options.length > 1) select.remove(1);
    allowed.forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1];
      select.appendChild(option);
    });
    select.value = "";
  }

  function post(board, leadId, status, reason) {
    var body = new FormData();
    body.append("status", status);
    body.append("csrf_token", board.dataset.csrf);
    if (reason) body.append("lost_reason", reason);
    return fetch("/admin/leads/" + leadId + "/move", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": board.dataset.csrf }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: "The move could not be saved (error " + response.status + "). Reload the page." };
      });
    }, function () {
      return { ok: false, message: "The move could not be sent: check the connection and try again." };
    });
  }

  /* Send a move; on refusal the card returns to its column and the reason is shown. */
  function move(board, card, from, to, oldIndex, reason) {
    var status = to.dataset.status;
    card.classList.add("moving");
    return post(board, card.dataset.leadId, status, reason).then(function (answer) {
      card.classList.remove("moving");
      if (!answer.ok) {
        snapBack(card, from, oldIndex);
        markEmpty(from);
        markEmpty(to);
        say(board, card.dataset.name + " stays " + from.dataset.label.toLowerCase() + ": " + answer.message);
        return answer;
      }
      var value = parseFloat(card.dataset.value) || 0;
      bump(from, -1, value);
      bump(to, 1, value);
      card.dataset.status = answer.status;
      var score = card.querySelector(".lead-score");
      if (score && typeof answer.score === "number") score.firstChild.textContent = String(answer.score);
      rebuildMoveList(card, answer.allowed || []);
      markEmpty(from);
      markEmpty(to);
      say(board, answer.message, "success");
      return answer;
    });
  }

  /* The "lost" dialog: resolves with the reason, or null when cancelled. */
  function askReason(name) {
    var dialog = document.getElementById("lost-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return Promise.resolve(null);
    }
    var form = document.getElementById("lost-form");
    var text = document.getElementById("lost-reason");
    var error = document.getElementById("lost-error");
    var cancel = dialog.querySelector("[data-lost-cancel]");
    dialog.querySelector("[data-lost-name]").textContent = name;
    text.value = "";
    error.hidden = true;
    return new Promise(function (resolve) {
      function done(value) {
        form.removeEventListener("submit", onSubmit);
        cancel.removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        if (dialog.open) dialog.close();
        resolve(value);
      }
      function onSubmit(event) {
        event.preventDefault();
        var reason = text.value.trim();
        if (!reason) {
          error.textContent = "Say why the lead was lost.";
          error.hidden = false;
          text.focus();
          return;
        }
        done(reason);
      }
      function onCancel(event) {
        event.preventDefault();
        done(null);
      }
      form.addEventListener("submit", onSubmit);
      cancel.addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel);
      dialog.showModal();
      text.focus();
    });
  }

  function setUpPipeline(board) {
    if (!window.Sortable || board.dataset.ready || !board.dataset.canMove) return;
    board.dataset.ready = "1";
    var lists = board.querySelectorAll(".stage-cards");
    Array.prototype.forEach.call(lists, function (list) {
      markEmpty(list);
      window.Sortable.create(list, {
        group: "pipeline",
        sort: false,
        draggable: ".lead-card:not(.locked)",
        filter: "select, button, a, input, label",
        preventOnFilter: false,
        forceFallback: true,
        fallbackOnBody: true,
        fallbackTolerance: 4,
        delay: 180,
        delayOnTouchOnly: true,
        animation: 120,
        ghostClass: "card-ghost",
        chosenClass: "card-chosen",
        dragClass: "card-drag",
        onEnd: function (event) {
          var card = event.item;
          var from = event.from;
          var to = event.to;
          if (from === to) return;
          say(board, "");
          if (to.dataset.status === "converted") {
            snapBack(card, from, event.oldIndex);
            card.classList.remove("refused");
            window.location.href = "/admin/leads/" + card.dataset.leadId + "/convert";
            return;
          }
          if (to.dataset.status === "lost") {
            askReason(card.dataset.name).then(function (reason) {
              if (reason === null) {
                snapBack(card, from, event.oldIndex);
                card.classList.remove("refused");
                markEmpty(from);
                markEmpty(to);
                return;
              }
              move(board, card, from, to, event.oldIndex, reason);
            });
            return;
          }
          move(board, card, from, to, event.oldIndex, null);
        }
      });
    });

    /* The "Move to" list of a card: with JavaScript, the same move without leaving the page. */
    board.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("card-move")) return;
      var card = form.closest(".lead-card");
      var status = form.querySelector("select").value;
      if (!status) {
        event.preventDefault();
        return;
      }
      var to = board.querySelector('.stage-cards[data-status="' + status + '"]');
      var from = card.parentNode;
      if (!to) return; /* let the form go to the server */
      event.preventDefault();
      var oldIndex = Array.prototype.indexOf.call(from.querySelectorAll(".lead-card"), card);
      var go = status === "lost" ? askReason(card.dataset.name) : Promise.resolve("");
      go.then(function (reason) {
        if (reason === null) return;
        to.insertBefore(card, to.firstChild);
        move(board, card, from, to, oldIndex, reason || null).then(function (answer) {
          if (answer.ok) {
            var select = card.querySelector(".card-move select");
            if (select) select.focus();
          }
        });
      });
    });
  }

  /* ---------------------------------------------------------------- the round-robin queue */

  function renumber(body) {
    Array.prototype.forEach.call(body.querySelectorAll(".queue-row"), function (row, index) {
      var input = row.querySelector(".position-input");
      if (input) input.value = String(index + 1);
    });
  }

  function setUpQueue(body) {
    if (!window.Sortable || body.dataset.ready) return;
    body.dataset.ready = "1";
    window.Sortable.create(body, {
      handle: ".drag-handle",
      draggable: ".queue-row",
      animation: 150,
      forceFallback: true,
      ghostClass: "queue-ghost",
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        renumber(body);
        var note = document.getElementById("queue-dirty");
        if (note) note.hidden = false;
      }
    });
  }

  function setUp() {
    var board = document.getElementById("pipeline");
    if (board) setUpPipeline(board);
    var queue = document.querySelector("[data-sortable-queue]");
    if (queue) setUpQueue(queue);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
