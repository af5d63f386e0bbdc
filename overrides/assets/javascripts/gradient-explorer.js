// Interactive gradient explorer: plots ||dh_T/dh_t|| vs steps back from data computed at build time
// (derivations/explorer.py; labels and HTML from docsgen/explorer.py) and embedded in the page. Self-hosted, no dependencies, no network.
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var W = 640, H = 360, L = 64, R = 16, T = 16, B = 48, YMIN = -12, YMAX = 12;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) { return v === 0 ? "0" : v.toExponential(2); }

  function setup(box) {
    if (box.getAttribute("data-ready")) return;
    var script = box.nextElementSibling;
    if (!script || !script.classList.contains("gradient-explorer-data")) return;
    var data = JSON.parse(script.textContent), lab = data.labels;
    box.setAttribute("data-ready", "1");
    box.innerHTML = "";

    var controls = document.createElement("div");
    controls.className = "gradient-explorer__controls";
    var sel = document.createElement("select");
    sel.setAttribute("aria-label", lab.activation);
    Object.keys(data.series).forEach(function (a) {
      var o = document.createElement("option"); o.value = a; o.textContent = (lab.acts && lab.acts[a]) || a;
      sel.appendChild(o);
    });
    sel.value = "tanh";
    var slider = document.createElement("input");
    slider.type = "range"; slider.min = 0; slider.max = data.lambdas.length - 1; slider.step = 1;
    slider.value = data.lambdas.indexOf("1.0");
    slider.setAttribute("aria-label", lab.lambda);
    var lamOut = document.createElement("output");
    var l1 = document.createElement("label"); l1.textContent = lab.activation + " "; l1.appendChild(sel);
    var l2 = document.createElement("label"); l2.textContent = lab.lambda + " "; l2.appendChild(slider); l2.appendChild(lamOut);
    controls.appendChild(l1); controls.appendChild(l2);
    box.appendChild(controls);

    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": lab.y, class: "gradient-explorer__plot" }, box);
    var readout = document.createElement("p");
    readout.className = "gradient-explorer__readout";
    readout.setAttribute("aria-live", "polite");
    box.appendChild(readout);

    var n = data.series.tanh["1.0"].length;
    function x(k) { return L + (W - L - R) * k / (n - 1); }
    function y(v) {
      var lv = Math.log10(Math.max(v, 1e-300));
      lv = Math.min(YMAX, Math.max(YMIN, lv));
      return T + (H - T - B) * (YMAX - lv) / (YMAX - YMIN);
    }
    // axes and grid
    for (var e = YMIN; e <= YMAX; e += 4) {
      el("line", { x1: L, x2: W - R, y1: y(Math.pow(10, e)), y2: y(Math.pow(10, e)), class: "ge-grid" }, svg);
      el("text", { x: L - 6, y: y(Math.pow(10, e)) + 4, "text-anchor": "end", class: "ge-tick" }, svg).textContent = "1e" + e;
    }
    for (var k = 0; k < n; k += 10) {
      el("text", { x: x(k), y: H - B + 18, "text-anchor": "middle", class: "ge-tick" }, svg).textContent = k;
    }
    el("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle", class: "ge-label" }, svg).textContent = lab.x;
    var bound = el("path", { class: "ge-bound" }, svg);
    var meas = el("path", { class: "ge-measured" }, svg);
    var legend = el("text", { x: W - R - 4, y: T + 14, "text-anchor": "end", class: "ge-label" }, svg);

    function draw() {
      var lam = data.lambdas[+slider.value], act = sel.value, g = data.gamma[act];
      var ys = data.series[act][lam], d = "", db = "";
      for (var k = 0; k < n; k++) {
        d += (k ? "L" : "M") + x(k).toFixed(1) + " " + y(ys[k]).toFixed(1);
        db += (k ? "L" : "M") + x(k).toFixed(1) + " " + y(Math.pow(g * lam, k)).toFixed(1);
      }
      meas.setAttribute("d", d); bound.setAttribute("d", db);
      lamOut.textContent = " " + lam;
      legend.textContent = lab.legend || (lab.measured + " — / " + lab.bound + " - -");
      readout.textContent = lab.readout.replace("{k}", n - 1).replace("{m}", fmt(ys[n - 1]))
        .replace("{b}", fmt(Math.pow(g * lam, n - 1)));
    }
    sel.addEventListener("change", draw);
    slider.addEventListener("input", draw);
    draw();
  }

  function init() { document.querySelectorAll(".gradient-explorer").forEach(setup); }
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
