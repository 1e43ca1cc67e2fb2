/* The editor: a preview tab rendered by the server with the article page's own code, a warning
   before leaving with unsaved changes, and a draft kept in this browser until a save lands
   (a failed save, an expired session or a lost connection no longer loses the text). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-editor]");
  if (!form) return;
  var area = form.querySelector("[data-editor-text]");
  var key = "kb-draft:" + (form.dataset.draftKey || location.pathname);
  var initial = area.value, submitting = false, timer = null;

  /* --- tabs --- */
  var tabs = form.querySelector(".editor-tabs"), write = form.querySelector("#tab-write"),
      show = form.querySelector("#tab-preview"), paneWrite = form.querySelector("#pane-write"),
      panePreview = form.querySelector("#pane-preview");
  tabs.hidden = false;

  function select(preview) {
    write.setAttribute("aria-selected", String(!preview));
    show.setAttribute("aria-selected", String(preview));
    write.tabIndex = preview ? -1 : 0;
    show.tabIndex = preview ? 0 : -1;
    paneWrite.hidden = preview;
    panePreview.hidden = !preview;
    if (preview) renderPreview();
  }

  function renderPreview() {
    var body = panePreview.querySelector(".article-body"), problems = panePreview.querySelector(".preview-problems");
    body.textContent = "正在生成预览…";
    problems.textContent = "";
    var data = new FormData(form);  /* the form's fields and body, or the raw source */
    data.delete("files");
    data.append("path", form.dataset.path || "");
    fetch(document.body.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": form.querySelector("input[name=csrf]").value } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (result) {
        body.innerHTML = result.html;  /* sanitized on the server, as on the article page */
        var list = result.problems.filter(function (p) { return p.severity !== "note"; });
        if (list.length) {
          var ul = document.createElement("ul");
          list.forEach(function (p) {
            var li = document.createElement("li");
            li.textContent = (p.line ? "第 " + p.line + " 行：" : "") + p.message;
            ul.appendChild(li);
          });
          problems.textContent = "保存时会报告这些问题：";
          problems.appendChild(ul);
          problems.className = "preview-problems problems";
        } else {
          problems.className = "preview-problems";
        }
      })
      .catch(function () { body.textContent = "无法生成预览（网络或登录状态有问题）。您的内容仍在编辑框里。"; });
  }

  write.addEventListener("click", function () { select(false); });
  show.addEventListener("click", function () { select(true); });
  tabs.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    var preview = write.getAttribute("aria-selected") === "true";
    select(preview);
    (preview ? show : write).focus();
    e.preventDefault();
  });

  /* --- draft kept in the browser: the body and every field of the form --- */
  var kept = Array.prototype.filter.call(form.elements, function (el) {
    return el.name && el !== area && el.type !== "hidden" && el.type !== "file" && el.type !== "checkbox" &&
      el.type !== "submit" && el.type !== "button";
  });
  function fieldValues() {
    var out = {};
    kept.forEach(function (el) { out[el.name] = el.value; });
    return out;
  }
  var initialFields = JSON.stringify(fieldValues());
  function changed() { return area.value !== initial || JSON.stringify(fieldValues()) !== initialFields; }
  function keep() { KB.store(key, { text: area.value, fields: fieldValues(), at: new Date().toISOString() }); }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(keep, 800); });

  var draft = KB.store(key), note = form.querySelector(".draft-note");
  var differs = draft && ((draft.text && draft.text !== area.value) ||
    (draft.fields && JSON.stringify(draft.fields) !== initialFields && draft.text !== undefined));
  if (differs) {
    note.querySelector(".draft-when").textContent = new Date(draft.at).toLocaleString("zh-CN");
    note.hidden = false;
    note.querySelector("[data-draft-restore]").addEventListener("click", function () {
      area.value = draft.text;
      kept.forEach(function (el) {
        if (draft.fields && el.name in draft.fields) {
          el.value = draft.fields[el.name];
          el.dispatchEvent(new Event("change"));
        }
      });
      note.hidden = true; area.focus();
    });
    note.querySelector("[data-draft-discard]").addEventListener("click", function () {
      KB.store(key, null); note.hidden = true; area.focus();
    });
  }

  /* --- the toolbar: Markdown around the selection, or at the cursor --- */
  var SNIPPETS = {
    heading: ["\n## ", "", "小节标题"], bold: ["**", "**", "加粗的文字"], list: ["\n- ", "", "事项"],
    numbered: ["\n1. ", "", "第一步"], task: ["\n- [ ] ", "", "要做的事"], article: ["\n**第一条** ", "", "……"],
    link: ["[", "](slug)", "链接文字"], table: ["\n| 项目 | 说明 |\n|---|---|\n| ", " |  |\n", "……"]
  };
  var toolbar = form.querySelector(".md-toolbar");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-md]");
      if (!button) return;
      var s = SNIPPETS[button.dataset.md], start = area.selectionStart, end = area.selectionEnd;
      var chosen = area.value.slice(start, end) || s[2];
      area.setRangeText(s[0] + chosen + s[1], start, end, "end");
      area.setSelectionRange(start + s[0].length, start + s[0].length + chosen.length);
      area.focus();
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  /* --- the slug from the title's pinyin, until the editor writes one --- */
  var title = form.querySelector("input[data-title]"), slug = form.querySelector("input[data-slug]");
  if (title && slug && form.dataset.slugUrl && !slug.value) {
    var own = false, asked = null;
    slug.addEventListener("input", function () { own = slug.value !== ""; });
    title.addEventListener("input", function () {
      if (own) return;
      clearTimeout(asked);
      asked = setTimeout(function () {
        fetch(form.dataset.slugUrl + "?title=" + encodeURIComponent(title.value), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { if (data && !own) slug.value = data.slug; })
          .catch(function () { /* the server makes one from the title when it is left empty */ });
      }, 300);
    });
  }

  /* --- a new article starts from its type's skeleton --- */
  var type = form.querySelector("select[name=type]");
  if (type && form.dataset.draftKey === "new") {
    var previous = type.value;
    type.addEventListener("change", function () {
      var before = type.querySelector("option[value='" + previous + "']"), now = type.selectedOptions[0];
      var untouched = !area.value.trim() || (before && area.value === before.dataset.skeleton);
      if (untouched && now) area.value = now.dataset.skeleton || "";
      previous = type.value;
    });
  }

  /* --- a new article: what its folder gives 阅读范围 and 须阅读 when left empty --- */
  var folder = form.querySelector("select[data-folder-defaults]");
  if (folder) {
    var hints = JSON.parse(folder.dataset.folderDefaults || "{}");
    var showHints = function () {
      var home = folder.value || (type && type.value === "checklist" ? "checklists" : "guides");
      var given = hints[home] || {};
      Object.keys(given).forEach(function (name) {
        var hint = form.querySelector("[data-default-for='" + name + "']"), input = document.getElementById("field:" + name);
        var own = form.querySelector("[name='" + name + "']");
        if (!hint) return;
        hint.textContent = given[name].value ? "不填时是：" + given[name].value + "（" + given[name].from + "）" : "";
        hint.hidden = !given[name].value || !!(own && own.value);
        if (input) input.placeholder = given[name].value;
      });
    };
    folder.addEventListener("change", showHints);
    if (type) type.addEventListener("change", showHints);
  }

  /* --- unsaved changes --- */
  form.addEventListener("submit", function () { submitting = true; keep(); });
  window.addEventListener("beforeunload", function (e) {
    if (submitting || !changed()) return;
    keep();
    e.preventDefault();
    e.returnValue = "";
  });
})();
