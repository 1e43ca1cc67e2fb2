/* The query log's one piece in the browser: when a search result is opened, tell the site
   which one (a beacon to the address in <body data-analytics>, only when the site keeps a log).
   The links stay the articles' real addresses. A search that found nothing is remembered in
   this tab for ten minutes, so that the result opened after the next search names it too:
   that is how the log suggests synonyms to editors. Nothing about the reader is sent. */
(function () {
  "use strict";
  var KB = window.KB = window.KB || {};
  var endpoint = document.body.dataset.analytics;
  var ZERO = "kb-found-nothing", FRESH = 10 * 60 * 1000;

  function send(data) {
    if (!endpoint || !navigator.sendBeacon) return;
    var after = earlier();
    if (after && after !== data.search) data.after = after;
    navigator.sendBeacon(endpoint, new URLSearchParams(data));
  }

  function earlier() {
    try {
      var z = JSON.parse(sessionStorage.getItem(ZERO) || "null");
      return z && Date.now() - z.at < FRESH ? z.token : "";
    } catch (e) { return ""; }
  }

  function address(a) { return a.pathname + a.hash; }

  /* The search box's list: a title, heading or result picked for what was typed. */
  KB.opened = function (query, url, results) {
    var a = document.createElement("a");
    a.href = url;
    var data = { q: query, url: address(a) };
    if (results !== undefined && results !== null) data.results = results;
    send(data);
  };

  document.querySelectorAll("[data-search-token]").forEach(function (list) {
    var token = list.dataset.searchToken;
    if (list.hasAttribute("data-found-nothing")) {
      try { sessionStorage.setItem(ZERO, JSON.stringify({ token: token, at: Date.now() })); } catch (e) { /* private mode */ }
    }
    function opened(e) {
      var a = e.target.closest("a[data-rank]");
      if (!a || (e.type === "auxclick" && e.button !== 1)) return;
      send({ search: token, url: address(a), rank: a.dataset.rank });
    }
    list.addEventListener("click", opened);
    list.addEventListener("auxclick", opened);  /* the middle button: opened in a new tab */
  });
})();
