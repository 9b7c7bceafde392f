/* The programme finder: filters the server-rendered list by who can apply, support area, month and
   provider. The choice lives in the address (?for=cooperative&month=4), so a filtered view can be
   bookmarked, shared and reloaded. A classic script with no network use: it works from file://. */
(function () {
  "use strict";

  var form = document.getElementById("finder");
  var status = document.getElementById("finder-status");
  if (!form || !status || !window.URLSearchParams) {
    return;
  }
  var names = ["for", "area", "month", "provider"];
  var cards = document.querySelectorAll("[data-listing]");
  var sections = document.querySelectorAll("[data-area-section]");
  var jumps = document.querySelectorAll("[data-jump]");

  function words(value) {
    return value ? value.split(" ") : [];
  }

  // The filters' state: only values that one of the options offers count.
  function chosen() {
    var state = {};
    for (var i = 0; i < names.length; i++) {
      state[names[i]] = form.elements[names[i]].value;
    }
    return state;
  }

  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    for (var i = 0; i < names.length; i++) {
      var select = form.elements[names[i]];
      var value = params.get(names[i]) || "";
      select.value = value;
      if (select.value !== value) {
        select.value = "";
      }
    }
  }

  function matches(card, state) {
    return (!state["for"] || words(card.getAttribute("data-for")).indexOf(state["for"]) >= 0) &&
      (!state.area || card.getAttribute("data-area") === state.area) &&
      (!state.month || words(card.getAttribute("data-months")).indexOf(state.month) >= 0) &&
      (!state.provider || card.getAttribute("data-provider") === state.provider);
  }

  function say(count, filtered) {
    var key = !filtered ? "data-all" : count === 0 ? "data-none" : count === 1 ? "data-one" : "data-many";
    status.textContent = status.getAttribute(key).replace("{count}", String(count));
  }

  function query(state) {
    var parts = [];
    for (var i = 0; i < names.length; i++) {
      if (state[names[i]]) {
        parts.push(names[i] + "=" + encodeURIComponent(state[names[i]]));
      }
    }
    return parts.length ? "?" + parts.join("&") : "";
  }

  // Keep the choice in the address without a reload; where the browser refuses (some do on file://), navigate.
  function remember(state) {
    var search = query(state);
    if (search === window.location.search) {
      return;
    }
    try {
      window.history.replaceState(null, "", window.location.pathname + search + window.location.hash);
    } catch (error) {
      window.location.search = search;
    }
  }

  function apply() {
    var state = chosen();
    var count = 0;
    var shown = {};
    for (var i = 0; i < cards.length; i++) {
      var show = matches(cards[i], state);
      cards[i].hidden = !show;
      if (show) {
        count += 1;
        shown[cards[i].getAttribute("data-area")] = true;
      }
    }
    for (var j = 0; j < sections.length; j++) {
      sections[j].hidden = !shown[sections[j].getAttribute("data-area-section")];
    }
    for (var k = 0; k < jumps.length; k++) {
      jumps[k].hidden = !shown[jumps[k].getAttribute("data-jump")];
    }
    say(count, query(state) !== "");
    return state;
  }

  form.hidden = false;
  form.addEventListener("change", function () {
    remember(apply());
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    remember(apply());
  });
  window.addEventListener("popstate", function () {
    fromAddress();
    apply();
  });
  fromAddress();
  apply();
})();
