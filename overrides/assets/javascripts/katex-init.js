// Render all math with KaTeX, served from this site (no CDN). Runs on every page load, including
// Material's instant navigation. Covers arithmatex output (\( \) and \[ \]) and notebook cells ($ and $$).
(function () {
  function render(root) {
    if (typeof renderMathInElement !== "function") return;
    renderMathInElement(root, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
        { left: "$", right: "$", display: false },
      ],
      ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
      throwOnError: false,
      errorColor: "#cc0000",
      strict: "ignore",
    });
    document.body.setAttribute("data-math-rendered", "1");
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { render(document.querySelector(".md-content") || document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  }
})();
