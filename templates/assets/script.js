/* Seoul Social Economy Guide: small enhancements only; every page works without this file. */
(function () {
  "use strict";

  // Schedule page: mark the current month's column, but only when the edition is this year's.
  var yearElement = document.querySelector(".gd-header__year");
  var tables = document.querySelectorAll(".gd-schedule");
  if (!yearElement || !tables.length) {
    return;
  }
  var now = new Date();
  if (parseInt(yearElement.textContent, 10) !== now.getFullYear()) {
    return;
  }
  for (var i = 0; i < tables.length; i++) {
    var months = tables[i].querySelectorAll("thead .gd-schedule__month");
    if (months.length === 12) {
      months[now.getMonth()].classList.add("gd-schedule__month--now");
    }
  }
})();
