/* Seoul Social Economy Guide: small enhancements only; every page works without this file. */
(function () {
  "use strict";

  // Schedule on phones: a jump to a folded support area unfolds it (not every browser does so itself).
  function unfold() {
    var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }
  window.addEventListener("hashchange", unfold);
  unfold();
})();

(function () {
  "use strict";

  // Schedule page: mark the current month's column, but only when the edition is this year's.
  var year = parseInt(document.documentElement.getAttribute("data-edition-year"), 10);
  var tables = document.querySelectorAll(".gd-schedule");
  if (!year || !tables.length) {
    return;
  }
  var now = new Date();
  if (year !== now.getFullYear()) {
    return;
  }
  for (var i = 0; i < tables.length; i++) {
    var months = tables[i].querySelectorAll("thead .gd-schedule__month");
    if (months.length === 12) {
      months[now.getMonth()].classList.add("gd-schedule__month--now");
      months[now.getMonth()].setAttribute("aria-current", "date");
    }
  }
})();
