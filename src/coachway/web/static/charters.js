/* Charter pages: drag-and-drop order of the itinerary (SortableJS) and the map of the stops (Leaflet).
   Both are set up on page load and again whenever HTMX swaps the itinerary in. Without JavaScript the
   page still works: the Up / Down buttons reorder the stops and the list says what the map would show. */
(function () {
  "use strict";

  var currentMap = null;

  /* ---------------------------------------------------------------- drag-and-drop order */

  function setUpSorting(list) {
    if (!window.Sortable || list.dataset.sortableReady) return;
    list.dataset.sortableReady = "1";
    window.Sortable.create(list, {
      handle: ".drag-handle",
      draggable: ".stop",
      animation: 150,
      ghostClass: "stop-ghost",
      chosenClass: "stop-chosen",
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        sendOrder(list);
      }
    });
  }

  /* Put the stop ids into the hidden reorder form in their new order and submit it (HTMX posts it). */
  function sendOrder(list) {
    var form = document.getElementById("reorder-form");
    if (!form) return;
    form.querySelectorAll('input[name="stop_ids"]').forEach(function (input) { input.remove(); });
    list.querySelectorAll(".stop[data-stop-id]").forEach(function (item, index) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "stop_ids";
      input.value = item.dataset.stopId;
      form.appendChild(input);
      var number = item.querySelector(".stop-number");
      if (number) number.textContent = String(index + 1);
    });
    list.classList.add("saving");
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  /* ---------------------------------------------------------------- the map */

  function numberedIcon(text, kind, count) {
    var width = 28 + 18 * ((count || 1) - 1);
    return window.L.divIcon({
      className: "map-pin " + kind,
      html: "<span>" + text + "</span>",
      iconSize: [width, 28],
      iconAnchor: [width / 2, 14],
      tooltipAnchor: [width / 2, 0]
    });
  }

  function setUpMap(element) {
    if (!window.L || element.dataset.mapReady) return;
    var data;
    try {
      data = JSON.parse(element.dataset.map || "{}");
    } catch (error) {
      return;
    }
    element.dataset.mapReady = "1";
    if (currentMap) {
      currentMap.remove();
      currentMap = null;
    }
    var stops = data.stops || [];
    var hub = data.hub;
    if (!stops.length && !hub) {
      element.classList.add("map-empty");
      element.textContent = "The map shows the stops once they have coordinates.";
      return;
    }
    var tiles = element.dataset.tiles || data.tiles || "";
    var map = window.L.map(element, { scrollWheelZoom: false, attributionControl: Boolean(tiles), zoomSnap: 0.25 });
    currentMap = map;
    if (tiles) {
      window.L.tileLayer(tiles, { maxZoom: 18, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    } else {
      element.classList.add("no-tiles");
    }
    var points = [];
    var line = stops.map(function (stop) { return stop.at; });
    if (hub) {
      /* Under the stops: the first pickup is often a few miles from the garage. */
      window.L.marker(hub.at, { icon: numberedIcon("H", "hub"), title: hub.label, keyboard: false,
                                zIndexOffset: -1000 })
        .bindTooltip(hub.label, { direction: "left" }).addTo(map);
      points.push(hub.at);
      if (line.length) {
        window.L.polyline([hub.at, line[0]], { className: "route-deadhead", weight: 3, dashArray: "6 6" })
          .addTo(map);
        window.L.polyline([line[line.length - 1], hub.at], { className: "route-deadhead", weight: 3,
                                                             dashArray: "6 6" }).addTo(map);
      }
    }
    if (line.length > 1) {
      window.L.polyline(line, { className: "route-live", weight: 4 }).addTo(map);
    }
    /* A trip that comes back to where it started has stops on one spot: one pin says "1, 3". */
    var spots = [];
    var byPlace = {};
    stops.forEach(function (stop) {
      var key = stop.at.join(",");
      if (!byPlace[key]) {
        byPlace[key] = { at: stop.at, numbers: [], labels: [] };
        spots.push(byPlace[key]);
      }
      byPlace[key].numbers.push(stop.n);
      if (byPlace[key].labels.indexOf(stop.label) < 0) byPlace[key].labels.push(stop.label);
    });
    spots.forEach(function (spot) {
      var numbers = spot.numbers.join(", ");
      var text = numbers + ". " + spot.labels.join(" / ");
      window.L.marker(spot.at, { icon: numberedIcon(numbers, "stop", spot.numbers.length), title: text,
                                 keyboard: false })
        .bindTooltip(text, { permanent: !tiles, direction: "right", className: "stop-label" })
        .addTo(map);
      points.push(spot.at);
    });
    if (points.length === 1) {
      map.setView(points[0], 9);
    } else {
      /* Room on the right for the stop names written beside the pins. */
      map.fitBounds(window.L.latLngBounds(points), { paddingTopLeft: [56, 30],
                                                     paddingBottomRight: [tiles ? 30 : 140, 30] });
    }
  }

  /* ---------------------------------------------------------------- the quote form's client search */

  /* Enter in the client search box narrows the list instead of sending the half-filled quote form. */
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target && target.matches && target.matches("[data-search-only]")) {
      event.preventDefault();
      if (window.htmx) window.htmx.trigger(target, "search");
    }
  });

  /* ---------------------------------------------------------------- set-up */

  function setUp(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var lists = Array.prototype.slice.call(scope.querySelectorAll("[data-sortable-stops]"));
    var maps = Array.prototype.slice.call(scope.querySelectorAll("[data-route-map]"));
    if (scope.matches && scope.matches("[data-sortable-stops]")) lists.push(scope);
    if (scope.matches && scope.matches("[data-route-map]")) maps.push(scope);
    lists.forEach(setUpSorting);
    maps.forEach(setUpMap);
  }

  if (window.htmx) {
    window.htmx.onLoad(setUp);  /* the page itself, then every piece HTMX swaps in */
  } else {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  }
})();
