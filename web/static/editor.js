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
    var data = new FormData();
    data.append("text", area.value);
    data.append("path", form.dataset.path || "");
    data.append("csrf", form.querySelector("input[name=csrf]").value);
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

  /* --- draft kept in the browser --- */
  function keep() { KB.store(key, { text: area.value, at: new Date().toISOString() }); }
  area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(keep, 800); });

  var draft = KB.store(key), note = form.querySelector(".draft-note");
  if (draft && draft.text && draft.text !== area.value) {
    note.querySelector(".draft-when").textContent = new Date(draft.at).toLocaleString("zh-CN");
    note.hidden = false;
    note.querySelector("[data-draft-restore]").addEventListener("click", function () {
      area.value = draft.text; note.hidden = true; area.focus();
    });
    note.querySelector("[data-draft-discard]").addEventListener("click", function () {
      KB.store(key, null); note.hidden = true; area.focus();
    });
  }

  /* --- unsaved changes --- */
  form.addEventListener("submit", function () { submitting = true; keep(); });
  window.addEventListener("beforeunload", function (e) {
    if (submitting || area.value === initial) return;
    keep();
    e.preventDefault();
    e.returnValue = "";
  });
})();
