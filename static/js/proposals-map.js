/* The map of a cycle's located proposals (templates/proposals/proposal_map.html).
 *
 * Progressive enhancement: the page is a list of proposals with their coordinates.
 * When Leaflet and a tiles URL are there, the points of the JSON block
 * #proposals-map-data are drawn on a map; the list is hidden only once the first
 * tile has loaded, and comes back if tiles fail. User text (titles) goes into
 * the page as text nodes, never as HTML.
 */
(function () {
  "use strict";

  function start() {
    var container = document.getElementById("proposals-map");
    var data = document.getElementById("proposals-map-data");
    var list = document.getElementById("proposals-map-list");
    if (!container || !data || typeof window.L === "undefined") return;
    var tilesUrl = container.getAttribute("data-tiles-url");
    if (!tilesUrl) return;
    var points;
    try {
      points = JSON.parse(data.textContent);
    } catch (error) {
      return;
    }
    if (!points.length) return;

    var L = window.L;
    container.hidden = false;
    container.style.height = "60vh"; // CSSOM, allowed by the CSP (no inline style attribute)
    var map = L.map(container, { scrollWheelZoom: false });
    var tiles = L.tileLayer(tilesUrl, {
      maxZoom: 19,
      attribution: container.getAttribute("data-attribution") || "",
    });
    var loaded = false;
    var failures = 0;
    tiles.on("tileload", function () {
      if (!loaded && list) list.hidden = true;
      loaded = true;
    });
    tiles.on("tileerror", function () {
      failures += 1;
      if (!loaded && failures >= 4) {
        // No tiles: the list is the map.
        map.remove();
        container.hidden = true;
        if (list) list.hidden = false;
      }
    });
    tiles.addTo(map);

    var bounds = [];
    points.forEach(function (point) {
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.title;
      var status = document.createElement("div");
      status.textContent = point.status;
      popup.appendChild(link);
      popup.appendChild(status);
      L.circleMarker([point.lat, point.lng], { radius: 8, weight: 2 }).bindPopup(popup).addTo(map);
      bounds.push([point.lat, point.lng]);
    });
    map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
