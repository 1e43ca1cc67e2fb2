/* Lists typed as chips (tags, groups): each value a chip with its remove button, typed and
   added with Enter or a comma; the hidden input keeps the comma-separated value the server
   reads, so that the form works the same without this script. Used by the editor's form and
   the folder settings page. */
(function () {
  "use strict";
  /* --- tags as chips: the input keeps the comma-separated value the server reads --- */
  Array.prototype.forEach.call(document.querySelectorAll("input[data-chips]"), function (input) {
    var form = input.form, box = document.createElement("div"), list = document.createElement("ul"), typing = document.createElement("input");
    box.className = "chips-input";
    list.className = "chips";
    list.setAttribute("aria-label", "已添加的" + (form.querySelector("label[for=\"" + input.id + "\"]") || {}).textContent);
    typing.id = input.id;
    typing.setAttribute("aria-describedby", input.getAttribute("aria-describedby") || "");
    typing.setAttribute("autocomplete", "off");
    if (input.dataset.list) typing.setAttribute("list", input.dataset.list);  /* e.g. the site's groups */
    if (input.placeholder) typing.placeholder = input.placeholder;  /* what the field is when left empty */
    input.id = input.id + ":value";  /* ids made by scripts have a colon: no heading takes one */
    input.type = "hidden";
    input.parentNode.insertBefore(box, input);
    box.appendChild(list);
    box.appendChild(typing);
    function values() { return input.value.split(/[,，、;；]+/).map(function (t) { return t.trim(); }).filter(Boolean); }
    function render() {
      list.textContent = "";
      values().forEach(function (tag, i) {
        var li = document.createElement("li"), remove = document.createElement("button");
        li.className = "chip";
        li.textContent = tag + " ";
        remove.type = "button";
        remove.className = "chip-remove";
        remove.setAttribute("aria-label", "去掉标签 " + tag);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          var all = values(); all.splice(i, 1); input.value = all.join(", "); render(); typing.focus();
          form.dispatchEvent(new Event("input"));
        });
        li.appendChild(remove);
        list.appendChild(li);
      });
    }
    function add() {
      var words = typing.value.split(/[,，、;；]+/).map(function (t) { return t.trim(); }).filter(Boolean);
      if (!words.length) return;
      var all = values();
      words.forEach(function (w) { if (all.indexOf(w) < 0) all.push(w); });
      input.value = all.join(", ");
      typing.value = "";
      render();
    }
    typing.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === "," || e.key === "，") { e.preventDefault(); add(); }
      else if (e.key === "Backspace" && !typing.value && values().length) {
        var all = values(); all.pop(); input.value = all.join(", "); render();
      }
    });
    typing.addEventListener("input", function () { if (/[,，、;；]/.test(typing.value)) add(); });
    typing.addEventListener("blur", add);
    input.addEventListener("change", render);
    form.addEventListener("submit", add);
    render();
  });
})();
