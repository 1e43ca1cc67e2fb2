/* Reading an article: section links to copy, the searched words highlighted, a bar with the
   title once the heading has scrolled away, a table of contents that marks the current section,
   and, for an article on a reading path, counting it read when the reader reaches its end. */
(function () {
  "use strict";
  var KB = window.KB;
  var article = document.querySelector(".article");
  if (!article) return;
  var body = article.querySelector(".article-body");
  var headings = Array.prototype.slice.call(body.querySelectorAll("h2[id], h3[id], h4[id], h5[id], h6[id]"));

  /* On a phone the table of contents starts folded, so the article comes first. */
  var tocBox = document.querySelector(".toc-box");
  if (tocBox && window.matchMedia("(max-width: 760px)").matches) tocBox.open = false;

  /* Links as people paste them: readable, /a/slug/小节 rather than percent-encoded, and
     without the ?hl= of a search. The address bar's origin: the one colleagues reach. A
     section's link is its own address, which the server sees (a chat tool's preview names the
     section; a renamed heading is followed by a redirect). */
  var here = location.origin + decodeURI(article.dataset.url || location.pathname);
  function sectionUrl(id) { return here + (id ? "/" + id : ""); }

  var SVG = "http://www.w3.org/2000/svg";
  function linkIcon() {
    var svg = document.createElementNS(SVG, "svg"), path = document.createElementNS(SVG, "path");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    path.setAttribute("d", "M10 14a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5M14 10a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5");
    svg.appendChild(path);
    return svg;
  }

  document.querySelectorAll("[data-copy-link]").forEach(function (btn) {
    btn.addEventListener("click", function () { KB.copyText(sectionUrl("")).then(function () { KB.toast("已复制本文链接"); }); });
  });
  headings.forEach(function (h) {
    var btn = document.createElement("button"), words = document.createElement("span");
    btn.type = "button"; btn.className = "heading-link";
    btn.setAttribute("aria-label", "复制本节链接：" + h.textContent);
    btn.dataset.anchor = h.id;
    words.className = "heading-link-words"; words.textContent = "复制本节链接";
    btn.appendChild(linkIcon()); btn.appendChild(words);
    btn.addEventListener("click", function () {
      KB.copyText(sectionUrl(h.id)).then(function () { KB.toast("已复制本节链接"); });
      history.replaceState(null, "", "#" + h.id);
    });
    h.appendChild(btn);
  });

  highlightSearchedWords();
  followTheReader();
  countReadAtTheEnd();

  /* Arriving from a search (?hl=...): mark the searched words in the text. */
  function highlightSearchedWords() {
    var hl = (new URLSearchParams(location.search).get("hl") || "").split(/\s+/).filter(function (w) { return w.length > 0; });
    if (!hl.length) return;
    var pattern = new RegExp(hl.sort(function (a, b) { return b.length - a.length; })
      .map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "gi");
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, null), nodes = [];
    while (walker.nextNode()) {
      if (!walker.currentNode.parentNode.closest("button, mark, script, style")) nodes.push(walker.currentNode);
    }
    nodes.forEach(function (node) {
      var text = node.nodeValue; pattern.lastIndex = 0;
      if (!pattern.test(text)) return;
      var frag = document.createDocumentFragment(), last = 0; pattern.lastIndex = 0;
      text.replace(pattern, function (m, offset) {
        frag.appendChild(document.createTextNode(text.slice(last, offset)));
        var mk = document.createElement("mark"); mk.className = "hl"; mk.textContent = m; frag.appendChild(mk);
        last = offset + m.length; return m;
      });
      frag.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
    var note = document.querySelector(".hl-note");
    if (note) {
      note.hidden = false; note.querySelector(".hl-words").textContent = hl.join(" ");
      note.querySelector("[data-clear-hl]").addEventListener("click", function (e) {
        e.preventDefault();
        body.querySelectorAll("mark.hl").forEach(function (m) { m.replaceWith(document.createTextNode(m.textContent)); });
        note.hidden = true;
        history.replaceState(null, "", location.pathname + location.hash);
      });
    }
    if (location.hash) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
  }

  /* The bar with the title shows once the page heading has scrolled away; it and the table of
     contents name the section being read: the last heading above the bar's lower edge. */
  function followTheReader() {
    var bar = document.querySelector(".reading-bar"), title = article.querySelector("h1");
    var barSection = bar && bar.querySelector(".reading-bar-section");
    var toc = document.querySelector(".toc"), links = {};
    if (toc) toc.querySelectorAll(".toc-list a").forEach(function (a) { links[decodeURIComponent(a.hash.slice(1))] = a; });
    var current = null, pending = false;

    function currentHeading() {
      var line = (bar ? bar.offsetHeight : 0) + 24, found = null;
      var atBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      headings.forEach(function (h) {
        var top = h.getBoundingClientRect().top;
        if (top <= line || (atBottom && top < window.innerHeight)) found = h;
      });
      return found;
    }
    function update() {
      pending = false;
      if (bar) bar.hidden = title.getBoundingClientRect().bottom > 0;
      var h = currentHeading();
      if (h === current) return;
      if (current && links[current.id]) { links[current.id].classList.remove("active"); links[current.id].removeAttribute("aria-current"); }
      current = h;
      if (barSection) barSection.textContent = h && links[h.id] ? links[h.id].textContent : "";
      var link = h && links[h.id];
      if (!link) return;
      link.classList.add("active"); link.setAttribute("aria-current", "location");
      var box = toc.getBoundingClientRect(), r = link.getBoundingClientRect();  // keep it visible in a long toc
      if (r.top < box.top || r.bottom > box.bottom) toc.scrollTop += r.top - box.top - toc.clientHeight / 2;
    }
    function schedule() { if (!pending) { pending = true; requestAnimationFrame(update); } }
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    window.addEventListener("hashchange", schedule);
    update();
  }

  /* An article on a reading path counts as read once its end, or the end of the section the
     path points to, has been on screen. */
  function countReadAtTheEnd() {
    document.querySelectorAll(".path-nav[data-path]").forEach(function (nav) {
      (KB.syncProgress ? KB.syncProgress(nav.dataset.path) : Promise.resolve()).then(function () { watch(nav); });
    });
    function watch(nav) {
      var status = nav.querySelector(".path-nav-status"), key = nav.dataset.key;
      function show() { status.textContent = "✓ 已读"; }
      if (KB.pathProgress(nav.dataset.path)[key]) { show(); return; }
      var end = endOf(nav.dataset.anchor) || nav;
      var seen = new IntersectionObserver(function (entries) {
        if (!entries.some(function (e) { return e.isIntersecting; })) return;
        var change = {}; change[key] = 1;
        KB.pathProgress(nav.dataset.path, change);
        show(); seen.disconnect();
      });
      seen.observe(end);
    }
  }

  /* The first heading after the section ``anchor`` that is not inside it. */
  function endOf(anchor) {
    var start = anchor && document.getElementById(anchor);
    if (!start) return null;
    var i = headings.indexOf(start), level = Number(start.tagName[1]);
    for (var k = i + 1; k < headings.length; k++) {
      if (Number(headings[k].tagName[1]) <= level) return headings[k];
    }
    return null;
  }
})();
