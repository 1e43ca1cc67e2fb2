/* 办公室知识库: small enhancements; every page works without them.
   This file holds what every page uses (window.KB); the others add one feature each:
   suggest.js (search box), article.js (reading), checklist.js, paths.js.
   No inline script or on* attribute anywhere: the site runs under script-src 'self'. */
(function () {
  "use strict";
  var KB = window.KB = {};

  KB.toast = function (text) {
    var el = document.querySelector(".toast");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(KB.toast.timer);
    KB.toast.timer = setTimeout(function () { el.hidden = true; }, 2200);
  };

  /* localStorage as JSON: store(key) reads, store(key, value) writes, store(key, null) removes. */
  KB.store = function (key, value) {
    try {
      if (value === undefined) return JSON.parse(localStorage.getItem(key) || "null");
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { return null; }
  };

  KB.copyText = function (text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  };

  /* Reading-path progress, shared by the path page and the articles on a path:
     {item as written in the path file: 1} under "kb-path:<path slug>". */
  KB.pathProgress = function (path, changes) {
    var key = "kb-path:" + path, read = KB.store(key) || {};
    if (changes === null) { KB.store(key, null); return {}; }
    if (changes) {
      Object.keys(changes).forEach(function (k) { if (changes[k]) read[k] = 1; else delete read[k]; });
      KB.store(key, read);
    }
    return read;
  };

  /* "/" focuses the search box from any page. */
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.querySelector("[data-suggest]");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });

  /* A row that scrolls sideways (facet chips on a phone) fades at the edge that has more. */
  document.querySelectorAll(".facet-row").forEach(function (row) {
    function update() {
      var more = row.scrollWidth - row.clientWidth - row.scrollLeft > 2;
      row.classList.toggle("more-right", more);
    }
    row.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    update();
  });

  /* A save landed: the draft the editor kept in this browser is no longer needed. */
  document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
    KB.store("kb-draft:" + el.dataset.clearDraft, null);
  });

  /* The account menu (a <details>, so it opens by keyboard without script) closes like a menu:
     on Escape, back to its button; on a click or focus outside it. */
  document.querySelectorAll("details.account-menu").forEach(function (menu) {
    var button = menu.querySelector("summary");
    menu.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.open) { menu.open = false; button.focus(); }
    });
    menu.addEventListener("focusout", function (e) {
      if (menu.open && e.relatedTarget && !menu.contains(e.relatedTarget)) menu.open = false;
    });
    document.addEventListener("click", function (e) {
      if (menu.open && !menu.contains(e.target)) menu.open = false;
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });
})();
