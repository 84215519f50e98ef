// Adds the reader's own time beside each session time written in the cohort's zone,
// when the two zones differ. Without JavaScript the cohort's time (zone named) stands.
(function () {
  "use strict";
  var readerZone;
  try {
    readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!readerZone) return;
  var dayAndTime = new Intl.DateTimeFormat(undefined, {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: readerZone,
  });
  var timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", timeZone: readerZone });
  var cityOf = function (zone) { return zone.split("/").pop().replace(/_/g, " "); };

  document.querySelectorAll("time[data-local-time]").forEach(function (el) {
    if (el.dataset.zone === readerZone) return;
    var starts = new Date(el.getAttribute("datetime"));
    var ends = new Date(el.dataset.ends);
    if (isNaN(starts) || isNaN(ends)) return;
    var yours = document.createElement("span");
    yours.className = "reader-time";
    yours.textContent = "Your time: " + dayAndTime.format(starts) + "–" + timeOnly.format(ends) + " (" + cityOf(readerZone) + ")";
    el.insertAdjacentElement("afterend", yours);
  });
  document.querySelectorAll("[data-reader-zone]").forEach(function (el) {
    el.textContent = cityOf(readerZone) + " time";
    el.closest("[hidden]") && el.closest("[hidden]").removeAttribute("hidden");
  });
})();
