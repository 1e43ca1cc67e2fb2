/* The search box's list while typing: titles, headings and tags that contain the words
   (/api/suggest), and beside them instant results, the best sections with their heading path
   and a snippet (/api/search), as in MkDocs Material. One listbox, arrow keys move through both. */
(function () {
  "use strict";
  var KIND = { title: "文章", heading: "小节", tag: "标签" };
  /* A status a reader must not miss beside an instant result (kb.lifecycle; repealed ones are
     only there when asked for with 状态:废止). */
  var STATUS = { trial: "试行", revising: "修订中", repealed: "已废止", draft: "草稿" };
  var SUGGESTIONS = 5, RESULTS = 5;

  function getJson(url) {
    return fetch(url).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }

  function span(className, text) {
    var el = document.createElement("span");
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /* A snippet is escaped text with <mark> around the matched words: keep exactly that. */
  function snippet(html) {
    var el = span("suggest-snippet");
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    doc.body.firstChild.childNodes.forEach(function (n) {
      if (n.nodeName === "MARK") el.appendChild(document.createElement("mark")).textContent = n.textContent;
      else el.appendChild(document.createTextNode(n.textContent));
    });
    return el;
  }

  function hitTitle(hit) {
    return [hit.title].concat(hit.heading_path || [], hit.section ? [hit.section] : []).join(" › ");
  }

  /* Rows of the list: {url, parts: [elements], className} or {group: "heading"}. */
  function rows(suggestions, found, query) {
    var out = (suggestions || []).slice(0, SUGGESTIONS).map(function (s) {
      return { url: s.url, parts: [span("", s.label), span("suggest-kind", (KIND[s.kind] || "") + (s.context ? " · " + s.context : ""))] };
    });
    if (found && found.results.length) {
      out.push({ group: "相关小节" });
      found.results.forEach(function (hit) {
        var parts = [span("suggest-hit-title", hitTitle(hit))];
        if (STATUS[hit.status]) parts.push(span("suggest-kind", STATUS[hit.status]));
        parts.push(snippet(hit.snippet));
        out.push({ url: hit.url, className: "suggest-hit", parts: parts });
      });
      out.push({ url: "/search?q=" + encodeURIComponent(query), className: "suggest-all",
                 parts: [span("", "查看全部 " + found.total + " 篇结果")] });
    }
    return out;
  }

  document.querySelectorAll("input[data-suggest]").forEach(function (input, n) {
    var form = input.form, list = document.createElement("ul"), options = [], active = -1, timer, seq = 0;
    list.className = "suggest-box"; list.id = "kb:suggest-" + n; list.setAttribute("role", "listbox"); list.hidden = true;
    list.setAttribute("aria-label", "搜索建议");
    form.appendChild(list);
    input.setAttribute("role", "combobox"); input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false"); input.setAttribute("aria-controls", list.id);

    var shown = { query: "", total: null };  /* what the list on screen was made for */
    /* Open a row; a pick other than 「查看全部」 (which opens the search page, counted there)
       tells the query log what was typed and what was opened (analytics.js). */
    function go(row) {
      if (row.className !== "suggest-all" && window.KB && KB.opened) KB.opened(shown.query, row.url, shown.total);
      location.href = row.url;
    }
    function close() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
    function mark(i) {
      active = i;
      options.forEach(function (o, k) { o.el.setAttribute("aria-selected", k === i ? "true" : "false"); });
      if (i >= 0) { input.setAttribute("aria-activedescendant", options[i].el.id); options[i].el.scrollIntoView({ block: "nearest" }); }
    }
    function render(data) {
      list.innerHTML = ""; options = [];
      data.forEach(function (row) {
        var li = document.createElement("li");
        if (row.group) {
          li.className = "suggest-group"; li.textContent = row.group;
          li.setAttribute("role", "presentation"); li.setAttribute("aria-hidden", "true");
        } else {
          li.id = list.id + "-" + options.length; li.setAttribute("role", "option");
          if (row.className) li.className = row.className;
          row.parts.forEach(function (p) { li.appendChild(p); });
          li.addEventListener("mousedown", function (e) { e.preventDefault(); go(row); });
          options.push({ el: li, url: row.url, row: row });
        }
        list.appendChild(li);
      });
      list.hidden = !options.length; input.setAttribute("aria-expanded", options.length ? "true" : "false"); active = -1;
      input.removeAttribute("aria-activedescendant");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq, enc = encodeURIComponent(q);
        Promise.all([getJson("/api/suggest?q=" + enc), getJson("/api/search?q=" + enc + "&limit=" + RESULTS)])
          .then(function (r) {
            if (mine !== seq) return;
            shown = { query: q, total: r[1] ? r[1].total : null };
            render(rows(r[0], r[1], q));
          });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % options.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark((active - 1 + options.length) % options.length); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); go(options[active].row); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  });
})();
