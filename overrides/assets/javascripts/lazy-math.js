// Formulas past the first screens of a page are shipped with their KaTeX HTML layout in an inert <template> and
// marked "katex-pending" (hooks/katex.py); their MathML, always in the document, is shown meanwhile. This puts each
// layout in place shortly before its formula comes into view, and every one of them before the page is printed.
// A few formulas per frame: their style and layout are computed when the frame is drawn, so the next few wait for
// it (a task after the next animation frame), and no task or frame runs long, however many formulas are near the
// screen at once. Self-hosted, no dependencies, no network.
(function () {
  var BATCH = 2;
  var queue = [], scheduled = false;

  function typeset(k) {
    var t = k.querySelector(":scope > template.katex-lazy");
    if (t) t.replaceWith(t.content);
    k.classList.remove("katex-pending");
  }
  function drain() {
    scheduled = false;
    for (var n = 0; queue.length && n < BATCH; n++) typeset(queue.shift());
    if (queue.length) schedule();
  }
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(function () { setTimeout(drain, 0); });
    }
  }
  function typesetAll() { document.querySelectorAll(".katex-pending").forEach(typeset); }

  window.gradientsMath = { typesetAll: typesetAll };
  window.addEventListener("beforeprint", typesetAll);
  if (!("IntersectionObserver" in window)) { typesetAll(); return; }
  var io = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) { io.unobserve(e.target); queue.push(e.target); }
    });
    schedule();
  }, { rootMargin: "100% 0px" });  // one screen ahead, above and below
  document.querySelectorAll(".katex-pending").forEach(function (k) { io.observe(k); });
})();
