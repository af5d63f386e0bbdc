// The language switch keeps the reader's place: its links (same page, other language; hooks/i18n.py) carry the
// current #section, which has the same id in both languages. Kept up to date as the reader follows the page.
(function () {
  function update() {
    var links = document.querySelectorAll("a[data-lang-switch]");
    for (var i = 0; i < links.length; i++) {
      var a = links[i], base = a.getAttribute("href").split("#")[0];
      a.setAttribute("href", base + location.hash);
    }
  }
  window.addEventListener("hashchange", update);
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("a[data-lang-switch]")) update();
  }, true);
  update();
})();
