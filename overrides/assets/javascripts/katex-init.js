// Math on ordinary pages is rendered to HTML at build time (hooks/bilingual.py). Only notebook pages carry TeX
// that is rendered in the browser: load KaTeX (served from this site, never a CDN) on those pages alone.
(function () {
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.replace(/javascripts\/katex-init\.js(\?.*)?$/, "katex/") : "assets/katex/";

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = base + src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function done() { document.body.setAttribute("data-math-rendered", "1"); }
  function render() {
    var nb = document.querySelectorAll(".jupyter-wrapper");
    if (!nb.length) return done();
    var ready = typeof renderMathInElement === "function" ? Promise.resolve()
      : load("katex.min.js").then(function () { return load("contrib/auto-render.min.js"); });
    ready.then(function () {
      nb.forEach(function (root) {
        renderMathInElement(root, {
          delimiters: [
            { left: "$$", right: "$$", display: true },
            { left: "\\[", right: "\\]", display: true },
            { left: "\\(", right: "\\)", display: false },
            { left: "$", right: "$", display: false },
          ],
          ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
          throwOnError: false,
          strict: "ignore",
        });
      });
      done();
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(render);
  else document.addEventListener("DOMContentLoaded", render);
})();
