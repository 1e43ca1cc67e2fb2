/* 办公室知识库: small enhancements; every page works without them. */
(function () {
  "use strict";

  function toast(text) {
    var el = document.querySelector(".toast");
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 2200);
  }

  function store(key, value) {
    try {
      if (value === undefined) return JSON.parse(localStorage.getItem(key) || "null");
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { return null; }
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }

  /* "/" focuses the search box from any page. */
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.querySelector("[data-suggest]");
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });

  /* Suggestions while typing: titles, headings and tags. */
  var KIND = { title: "文章", heading: "小节", tag: "标签" };
  document.querySelectorAll("input[data-suggest]").forEach(function (input, n) {
    var form = input.form, list = document.createElement("ul"), items = [], active = -1, timer, seq = 0;
    list.className = "suggest-box"; list.id = "suggest-" + n; list.setAttribute("role", "listbox"); list.hidden = true;
    list.setAttribute("aria-label", "搜索建议");
    form.appendChild(list);
    input.setAttribute("role", "combobox"); input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false"); input.setAttribute("aria-controls", list.id);

    function close() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
      if (i >= 0) input.setAttribute("aria-activedescendant", list.children[i].id);
    }
    function render(data) {
      items = data; list.innerHTML = "";
      data.forEach(function (s, i) {
        var li = document.createElement("li"), label = document.createElement("span"), kind = document.createElement("span");
        li.id = list.id + "-" + i; li.setAttribute("role", "option");
        label.textContent = s.label; kind.className = "suggest-kind";
        kind.textContent = (KIND[s.kind] || "") + (s.context ? " · " + s.context : "");
        li.appendChild(label); li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); location.href = s.url; });
        list.appendChild(li);
      });
      list.hidden = !data.length; input.setAttribute("aria-expanded", data.length ? "true" : "false"); active = -1;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch("/api/suggest?q=" + encodeURIComponent(q)).then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) { if (mine === seq) render(data); }).catch(close);
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark((active - 1 + items.length) % items.length); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); location.href = items[active].url; }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  });

  /* On a phone the table of contents starts folded, so the article comes first. */
  var tocBox = document.querySelector(".toc-box");
  if (tocBox && window.matchMedia("(max-width: 760px)").matches) tocBox.open = false;

  /* Article pages: copy links to the article and to every section. */
  var body = document.querySelector(".article-body");
  function sectionUrl(id) { return location.origin + location.pathname + (id ? "#" + encodeURIComponent(id) : ""); }
  document.querySelectorAll("[data-copy-link]").forEach(function (btn) {
    btn.addEventListener("click", function () { copyText(sectionUrl("")).then(function () { toast("已复制本文链接"); }); });
  });
  if (body) {
    body.querySelectorAll("h2[id], h3[id], h4[id], h5[id], h6[id]").forEach(function (h) {
      var btn = document.createElement("button");
      btn.type = "button"; btn.className = "heading-link"; btn.textContent = "#";
      btn.title = "复制本节链接";
      btn.setAttribute("aria-label", "复制本节链接：" + h.textContent);
      btn.dataset.anchor = h.id;
      btn.addEventListener("click", function () {
        var url = sectionUrl(h.id);
        copyText(url).then(function () { toast("已复制本节链接"); });
        history.replaceState(null, "", "#" + h.id);
      });
      h.appendChild(btn);
    });
  }

  /* Highlight the searched words when arriving from a search (?hl=...). */
  var params = new URLSearchParams(location.search);
  var hl = (params.get("hl") || "").split(/\s+/).filter(function (w) { return w.length > 0; });
  if (body && hl.length) {
    var pattern = new RegExp(hl.sort(function (a, b) { return b.length - a.length; })
      .map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "gi");
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, null), nodes = [];
    while (walker.nextNode()) {
      var p = walker.currentNode.parentNode;
      if (!/^(SCRIPT|STYLE|BUTTON|MARK)$/.test(p.nodeName)) nodes.push(walker.currentNode);
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

  /* Checklists: ticks kept in this browser, progress, reset. */
  var article = document.querySelector(".article[data-type='checklist']");
  if (article) {
    var key = "kb-checklist:" + article.dataset.slug;
    var boxes = Array.prototype.slice.call(article.querySelectorAll(".task-list-item input[type=checkbox]"));
    var saved = store(key) || {};
    var progress = document.querySelector(".checklist-progress"), meter = document.querySelector(".checklist-meter");
    function itemKey(box) { return box.closest("li").textContent.replace(/\s+/g, " ").trim(); }
    function update() {
      var done = boxes.filter(function (b) { return b.checked; }).length;
      progress.textContent = "已完成 " + done + " / " + boxes.length;
      meter.max = boxes.length || 1; meter.value = done;
      boxes.forEach(function (b) { b.closest("li").classList.toggle("done", b.checked); });
    }
    boxes.forEach(function (box, i) {
      box.disabled = false; box.removeAttribute("disabled");
      box.id = box.id || "item-" + i;
      var li = box.closest("li");
      box.setAttribute("aria-label", li.textContent.trim());
      box.checked = !!saved[itemKey(box)];
      box.addEventListener("change", function () {
        var state = store(key) || {};
        if (box.checked) state[itemKey(box)] = 1; else delete state[itemKey(box)];
        store(key, state); update();
      });
    });
    document.querySelector(".checklist-reset").addEventListener("click", function () {
      if (!confirm("确定要清除本清单的全部勾选吗？")) return;
      store(key, null); boxes.forEach(function (b) { b.checked = false; }); update(); toast("已重置");
    });
    update();
  }

  /* Reading paths: progress kept in this browser. */
  var path = document.querySelector(".reading-path");
  if (path) {
    var pkey = "kb-path:" + path.dataset.path;
    var checks = Array.prototype.slice.call(path.querySelectorAll(".path-item input[type=checkbox]"));
    var read = store(pkey) || {};
    var pprog = path.querySelector(".path-progress"), pmeter = path.querySelector(".path-meter");
    function pupdate() {
      var n = checks.filter(function (c) { return c.checked; }).length;
      pprog.textContent = "已读 " + n + " / " + checks.length; pmeter.value = n;
      checks.forEach(function (c) { c.closest("li").classList.toggle("done", c.checked); });
    }
    checks.forEach(function (c) {
      c.checked = !!read[c.dataset.key];
      c.addEventListener("change", function () {
        var s = store(pkey) || {};
        if (c.checked) s[c.dataset.key] = 1; else delete s[c.dataset.key];
        store(pkey, s); pupdate();
      });
    });
    path.querySelector(".path-reset").addEventListener("click", function () {
      store(pkey, null); checks.forEach(function (c) { c.checked = false; }); pupdate();
    });
    pupdate();
  }
})();
