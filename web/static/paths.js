/* A reading path's page: which articles are read, kept in this browser. Ticking by hand and
   reaching an article's end (article.js) write the same record. */
(function () {
  "use strict";
  var KB = window.KB;
  /* The path's address, to send to a newcomer. */
  document.querySelectorAll("[data-copy-path]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      KB.copyText(btn.dataset.copyPath).then(function () { KB.toast("已复制路径链接，可以发给新同事"); });
    });
  });
  var path = document.querySelector(".reading-path");
  if (!path) return;
  var slug = path.dataset.path;
  var checks = Array.prototype.slice.call(path.querySelectorAll(".path-item input[type=checkbox]"));
  var progress = path.querySelector(".path-progress"), meter = path.querySelector(".path-meter");

  function update() {
    var n = checks.filter(function (c) { return c.checked; }).length;
    progress.textContent = "已读 " + n + " / " + checks.length; meter.value = n;
    checks.forEach(function (c) { c.closest("li").classList.toggle("done", c.checked); });
  }
  function load() {
    var read = KB.pathProgress(slug);
    checks.forEach(function (c) { c.checked = !!read[c.dataset.key]; });
    update();
  }
  checks.forEach(function (c) {
    c.addEventListener("change", function () {
      var change = {}; change[c.dataset.key] = c.checked;
      KB.pathProgress(slug, change); update();
    });
  });
  path.querySelector(".path-reset").addEventListener("click", function () {
    KB.pathProgress(slug, null); checks.forEach(function (c) { c.checked = false; }); update();
  });
  function sync() { return KB.syncProgress ? KB.syncProgress(slug) : Promise.resolve(); }
  load();
  sync().then(load);
  /* Back from an article read to its end: the page comes from the cache, the record has changed. */
  window.addEventListener("pageshow", function (e) { if (e.persisted) sync().then(load); });
})();
