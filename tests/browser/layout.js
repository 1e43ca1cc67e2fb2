/* Measures a page as a phone user meets it: what can be tapped, and where. Used by
   test_phone.py through page.evaluate (no inline script: the site's CSP would block one). */
(() => {
  const TAPPABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, label";
  /* Links inside sentences are exempt from the 44 px rule (WCAG 2.5.5 "inline"): making them
     taller would break the lines they sit in. */
  const RUNNING_TEXT = ".article-body p, .article-body li, .article-body td, .task-label, .snippet, .more, .summary, "
    + ".card-summary, .notice, .empty-types, .empty, .path-item p, .zero li, .zero p, .problems, .muted";

  /* A label for a text field is not a target: the field is. One for a checkbox is. */
  function tappable(el) {
    return el.tagName !== "LABEL" || (el.control !== null && /^(checkbox|radio)$/.test(el.control.type));
  }
  function shown(el) {
    if (el.closest(".visually-hidden, .skip-link, [hidden], details:not([open]) > :not(summary)")) return false;
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== "hidden";
  }
  function name(el) {
    return el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "")
      + " “" + (el.textContent || el.value || el.placeholder || "").trim().slice(0, 20) + "”";
  }
  function targetBox(el) {
    /* A checkbox is as big as its label, the words around it that also tick it. */
    const boxes = [el].concat(el.labels ? Array.from(el.labels) : []).map((e) => e.getBoundingClientRect());
    return boxes.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
  }
  return {
    smallTargets() {
      return Array.from(document.querySelectorAll(TAPPABLE)).filter(shown).filter(tappable)
        .filter((el) => !(el.tagName === "A" && el.closest(RUNNING_TEXT)))
        .filter((el) => { const r = targetBox(el); return r.height < 43.5 || r.width < 43.5; })
        .map((el) => { const r = targetBox(el); return `${name(el)} ${Math.round(r.width)}×${Math.round(r.height)}`; });
    },
    overlaps() {
      const els = Array.from(document.querySelectorAll(TAPPABLE + ", h1, h2, .badge, .brand")).filter(shown)
        .filter((el) => getComputedStyle(el).position !== "fixed" && !el.closest(".reading-bar, .toast"));
      const rects = els.map((el) => Array.from(el.getClientRects()));
      const found = [];
      for (let i = 0; i < els.length; i++) {
        for (let j = i + 1; j < els.length; j++) {
          if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
          if (els[i].tagName === "LABEL" && els[i].control === els[j]) continue;
          if (els[j].tagName === "LABEL" && els[j].control === els[i]) continue;
          const hit = rects[i].some((a) => rects[j].some((b) =>
            Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1));
          if (hit) found.push(`${name(els[i])} × ${name(els[j])}`);
        }
      }
      return found;
    },
    placeholdersThatDoNotFit() {
      const ctx = document.createElement("canvas").getContext("2d");
      return Array.from(document.querySelectorAll("input[placeholder]")).filter(shown).filter((input) => {
        const style = getComputedStyle(input);
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return ctx.measureText(input.placeholder).width > room;
      }).map((input) => `${name(input)} “${input.placeholder}”`);
    },
  };
})()
