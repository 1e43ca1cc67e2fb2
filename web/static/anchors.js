/* Links that last, on the article page: an old #anchor (a heading renamed since the link was
   written, or a section of a removed article this one replaces) leads to the section it became;
   one whose section is gone says so instead of silently showing the top of the article; a
   section's own address (/a/<slug>/<anchor>) opens at the section; the short address is one
   click to copy. The mapping comes from the page (data-moved-anchors), written by the site from
   content/_addresses.yaml: no inline script. */
(function () {
  "use strict";
  var KB = window.KB;
  var article = document.querySelector(".article");
  if (!article) return;
  var moved = {};
  try { moved = JSON.parse(article.dataset.movedAnchors || "{}"); } catch (e) { moved = {}; }
  var notice = document.querySelector(".anchor-notice");

  function say(text) {
    if (!notice) return;
    notice.textContent = text; notice.hidden = !text;
  }
  function show(id) {
    var target = document.getElementById(id);
    if (!target) return false;
    target.scrollIntoView();
    return true;
  }
  function follow() {
    var wanted = "";
    try { wanted = decodeURIComponent(location.hash.slice(1)); } catch (e) { wanted = location.hash.slice(1); }
    if (!wanted || document.getElementById(wanted)) { say(""); return; }
    if (Object.prototype.hasOwnProperty.call(moved, wanted) && moved[wanted] && document.getElementById(moved[wanted])) {
      history.replaceState(null, "", location.pathname + location.search + "#" + moved[wanted]);
      show(moved[wanted]);
      say("");
      return;
    }
    say("您打开的链接指向的小节“" + wanted + "”已不存在（可能已删除或改写），下面是整篇文章。");
  }

  follow();
  window.addEventListener("hashchange", follow);

  var section = article.dataset.section, missing = article.dataset.missingAnchor;
  if (section && !location.hash) show(section);
  if (missing) say("您打开的链接指向的小节“" + missing + "”已不存在（可能已删除或改写），下面是整篇文章。");

  document.querySelectorAll("[data-copy-short]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      KB.copyText(btn.dataset.copyShort).then(function () { KB.toast("已复制短地址：文章改名、移动后也不变"); });
    });
  });
})();
