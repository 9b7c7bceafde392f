/* Seoul Social Economy Guide: search page. Filters the page's full list with window.GUIDE_SEARCH,
 * the index that assets/search-{lang}.*.js defines (a classic script, so it works from file://).
 * Terms are normalised as guide/outputs/search.py normalises the index: keep the two in step. */
(function () {
  "use strict";

  var index = window.GUIDE_SEARCH;
  var root = document.querySelector(".gd-search");
  if (!index || !root) {
    return;
  }
  var input = root.querySelector("input[name=q]");
  var status = root.querySelector(".gd-search__status");
  var groups = root.querySelectorAll(".gd-search__group");
  var items = root.querySelectorAll("[data-entry]");
  var postings = joined(index.parts);
  var keys = Object.keys(postings);
  var everything = status.textContent;
  var HANGUL = /[\uac00-\ud7a3]+/g;
  var LATIN = /[0-9a-z]+/g;
  var timer = null;

  // Lower case without accents; NFKC recomposes the Hangul syllables that NFKD took apart.
  function normalise(text) {
    var folded = text.normalize ? text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").normalize("NFKC") : text;
    return folded.toLowerCase().replace(/([a-z])[-\u2010\u2011](?=[a-z])/g, "$1");
  }

  // A query's terms: Latin words and digits match by prefix; Hangul by bigrams (one syllable: any term holding it).
  function termsOf(query) {
    var text = normalise(query);
    var terms = [];
    (text.match(LATIN) || []).forEach(function (word) { terms.push({prefix: word}); });
    (text.match(HANGUL) || []).forEach(function (run) { terms.push({hangul: run}); });
    return terms;
  }

  function union(sets) {
    var found = {};
    sets.forEach(function (list) {
      (list || []).forEach(function (n) { found[n] = true; });
    });
    return found;
  }

  function intersect(a, b) {
    var both = {};
    Object.keys(a).forEach(function (n) {
      if (b[n]) {
        both[n] = true;
      }
    });
    return both;
  }

  // The index comes in parts (chunks of the data's entries, then of the prose pages'): one term's
  // entries may be in many. Appended in place, so a term found in every chunk is not copied again and again.
  function joined(parts) {
    var all = Object.create(null);  // a term may be "constructor": no inherited keys
    parts.forEach(function (part) {
      Object.keys(part).forEach(function (term) {
        var numbers = part[term], list = all[term];
        if (!list) {
          all[term] = numbers;
          return;
        }
        for (var i = 0; i < numbers.length; i++) {
          list.push(numbers[i]);
        }
      });
    });
    return all;
  }

  function matches(term) {
    if (term.prefix) {
      return union(keys.filter(function (k) { return k.lastIndexOf(term.prefix, 0) === 0; }).map(function (k) { return postings[k]; }));
    }
    var run = term.hangul;
    if (run.length === 1) {
      return union(keys.filter(function (k) { return k.indexOf(run) !== -1; }).map(function (k) { return postings[k]; }));
    }
    var found = null;
    for (var i = 0; i < run.length - 1; i++) {
      var next = union([postings[run.slice(i, i + 2)]]);
      found = found ? intersect(found, next) : next;
    }
    return found;
  }

  // Entry numbers matching every term, or null for an empty query (show everything).
  function search(query) {
    var terms = termsOf(query);
    if (!terms.length) {
      return null;
    }
    return terms.map(matches).reduce(intersect);
  }

  // How many of the terms the entry's title holds: those results come first within their group.
  function titleScore(item, terms) {
    var title = normalise(item.querySelector("a").textContent);
    var words = title.match(LATIN) || [];
    var syllables = (title.match(HANGUL) || []).join("");
    return terms.filter(function (term) {
      if (term.hangul) {
        return syllables.indexOf(term.hangul) !== -1;
      }
      return words.some(function (w) { return w.lastIndexOf(term.prefix, 0) === 0; });
    }).length;
  }

  function order(list, terms) {
    var children = Array.prototype.slice.call(list.children);
    children.sort(function (a, b) {
      var score = terms.length ? titleScore(b, terms) - titleScore(a, terms) : 0;
      return score || a.getAttribute("data-entry") - b.getAttribute("data-entry");
    });
    children.forEach(function (child) { list.appendChild(child); });
  }

  function message(count, query) {
    var name = count === 0 ? "data-none" : count === 1 ? "data-one" : "data-many";
    return root.getAttribute(name).replace("{count}", count).replace("{query}", query.trim());
  }

  function show(query) {
    var found = search(query);
    var terms = termsOf(query);
    var count = 0;
    Array.prototype.forEach.call(items, function (item) {
      var hit = !found || found[item.getAttribute("data-entry")] === true;
      item.hidden = !hit;
      count += hit ? 1 : 0;
    });
    Array.prototype.forEach.call(groups, function (group) {
      var list = group.querySelector("ul");
      order(list, terms);
      group.hidden = !list.querySelector("[data-entry]:not([hidden])");
    });
    status.textContent = found ? message(count, query) : everything;
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  show(query);
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { show(input.value); }, 200);
  });
})();
