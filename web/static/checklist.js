/* Checklists: an item ticks by tapping its words (a <label>), ticks are kept in this browser,
   progress shows in the checklist bar and in the reading bar, reset clears them. */
(function () {
  "use strict";
  var KB = window.KB;
  var article = document.querySelector(".article[data-type='checklist']");
  if (!article) return;
  var key = "kb-checklist:" + article.dataset.slug;
  var boxes = Array.prototype.slice.call(article.querySelectorAll(".task-list-item input[type=checkbox]"));
  var progress = document.querySelectorAll(".checklist-progress, .reading-bar-progress");
  var meter = document.querySelector(".checklist-meter");

  /* Saved ticks are keyed by the item's words, so they survive items being added or moved. */
  function itemKey(box) { return box.closest("li").textContent.replace(/\s+/g, " ").trim(); }

  /* The words after the box (up to a nested list) become its label. */
  function labelFor(box) {
    var label = document.createElement("label"), node = box.nextSibling;
    label.className = "task-label"; label.htmlFor = box.id;
    while (node && !/^(UL|OL)$/.test(node.nodeName)) {
      var next = node.nextSibling;
      label.appendChild(node);
      node = next;
    }
    box.parentNode.insertBefore(label, box.nextSibling);
  }

  function update() {
    var done = boxes.filter(function (b) { return b.checked; }).length;
    progress.forEach(function (el) { el.textContent = "已完成 " + done + " / " + boxes.length; });
    meter.max = boxes.length || 1; meter.value = done;
    boxes.forEach(function (b) { b.closest("li").classList.toggle("done", b.checked); });
  }

  var saved = KB.store(key) || {};
  boxes.forEach(function (box, i) {
    box.disabled = false; box.removeAttribute("disabled");
    box.id = box.id || "kb:item-" + i;
    box.checked = !!saved[itemKey(box)];
    labelFor(box);
    box.addEventListener("change", function () {
      var state = KB.store(key) || {};
      if (box.checked) state[itemKey(box)] = 1; else delete state[itemKey(box)];
      KB.store(key, state); update();
    });
  });
  document.querySelector(".checklist-reset").addEventListener("click", function () {
    if (!confirm("确定要清除本清单的全部勾选吗？")) return;
    KB.store(key, null); boxes.forEach(function (b) { b.checked = false; }); update(); KB.toast("已重置");
  });
  update();
})();
