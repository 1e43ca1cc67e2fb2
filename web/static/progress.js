/* Reading-path progress of a logged-in reader, kept on the server too (kb.progress), so that it
   follows them to another computer or phone and their manager sees when they finished. The
   browser's own record (KB.pathProgress, app.js) stays the one the pages read; this file sends
   every change to the server, and on opening a page takes the server's record into the browser
   (what was read here before logging in goes to the server). Loaded only for an account. */
(function () {
  "use strict";
  var KB = window.KB;
  var places = {};
  document.querySelectorAll("[data-progress][data-path]").forEach(function (el) {
    places[el.dataset.path] = { url: el.dataset.progress, csrf: el.dataset.csrf };
  });
  var local = KB.pathProgress;
  var pending = [];

  function send(path, body) {
    var place = places[path];
    var done = fetch(place.url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": place.csrf, "Accept": "application/json" }
    }).catch(function () { /* offline: the browser keeps it, the next page sends it */ });
    pending.push(done);
    return done;
  }

  KB.pathProgress = function (path, changes) {
    var result = local(path, changes);
    if (places[path]) {
      if (changes === null) send(path, { reset: true });
      else if (changes) Object.keys(changes).forEach(function (k) { send(path, { item: k, read: !!changes[k] }); });
    }
    return result;
  };

  /* The server's record into the browser, the browser's into the server: then the page reads. */
  KB.syncProgress = function (path) {
    var place = places[path];
    if (!place) return Promise.resolve();
    return fetch(place.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var mine = local(path) || {}, both = {};
        Object.keys(mine).forEach(function (k) { if (!data.items[k]) send(path, { item: k, read: true }); both[k] = 1; });
        Object.keys(data.items).forEach(function (k) { both[k] = 1; });
        local(path, both);
      })
      .catch(function () {});
  };

  /* Everything sent (tests and a page about to close ask). */
  KB.progressSent = function () { return Promise.all(pending); };
})();
