// Interactive gradient explorer: plots ||dh_T/dh_t|| vs steps back from data computed at build time
// (derivations/explorer.py; labels and HTML from docsgen/explorer.py) and embedded in the page. Self-hosted, no dependencies, no network.
// The log-scale y-axis covers every finite value >= 1e-300 of both curves of the current setting (whole decades,
// nice steps); a value that is 0 or below 1e-300 ends the curve with a marker on the bottom edge and a note.
// The plot is drawn at the container's own width, so its 12px text is 12 CSS px on a phone as on a desktop.
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var TINY = 1e-300, STEPS = [1, 2, 3, 5, 10, 20, 25, 50, 100];
  var R = 16, T = 14, B = 44, L = 74;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) { return v === 0 ? "0" : v.toExponential(2); }
  function plottable(v) { return typeof v === "number" && isFinite(v) && v >= TINY; }
  function below(v) { return typeof v === "number" && v >= 0 && v < TINY; }
  function tickText(e) { return e === 0 ? "1" : "1e" + e; }

  // Whole-decade range [lo, hi] covering the plottable values, with a tick every `step` decades (<= maxTicks gaps).
  function decades(values, maxTicks) {
    var lo = Infinity, hi = -Infinity;
    values.forEach(function (v) {
      if (!plottable(v)) return;
      var lv = Math.log10(v);
      if (lv < lo) lo = lv;
      if (lv > hi) hi = lv;
    });
    if (lo > hi) { lo = 0; hi = 0; }
    lo = Math.floor(lo + 1e-9); hi = Math.ceil(hi - 1e-9);
    if (hi <= lo) { lo -= 1; hi += 1; }
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) {
      if (Math.ceil(hi / STEPS[i]) - Math.floor(lo / STEPS[i]) <= maxTicks) { step = STEPS[i]; break; }
    }
    return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, step: step };
  }

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
    lamOut.className = "gradient-explorer__value";
    lamOut.setAttribute("aria-hidden", "true");  // the slider itself announces the value (aria-valuetext)
    var l1 = document.createElement("label"); l1.className = "gradient-explorer__activation";
    l1.appendChild(document.createTextNode(lab.activation + " ")); l1.appendChild(sel);
    var l2 = document.createElement("label"); l2.className = "gradient-explorer__lambda";
    var l2text = document.createElement("span"); l2text.textContent = lab.lambda;
    l2.appendChild(l2text); l2.appendChild(slider); l2.appendChild(lamOut);
    controls.appendChild(l1); controls.appendChild(l2);
    box.appendChild(controls);

    var legend = document.createElement("ul");
    legend.className = "gradient-explorer__legend";
    [["ge-measured", lab.measured], ["ge-bound", lab.bound]].forEach(function (item) {
      var li = document.createElement("li");
      var sw = el("svg", { width: 32, height: 10, viewBox: "0 0 32 10", "aria-hidden": "true" }, li);
      el("line", { x1: 1, x2: 31, y1: 5, y2: 5, class: item[0] }, sw);
      li.appendChild(document.createTextNode(item[1]));
      legend.appendChild(li);
    });
    box.appendChild(legend);

    var svg = el("svg", { role: "img", "aria-label": lab.y + " — " + lab.legend, class: "gradient-explorer__plot" }, box);
    var readout = document.createElement("p");
    readout.className = "gradient-explorer__readout";
    readout.setAttribute("aria-live", "polite");
    box.appendChild(readout);

    var n = data.series[sel.value][data.lambdas[0]].length, width = 0;

    function draw() {
      var lam = data.lambdas[+slider.value], act = sel.value, g = data.gamma[act];
      var ys = data.series[act][lam], bs = [];
      for (var k = 0; k < n; k++) bs.push(Math.pow(g * lam, k));
      var W = Math.max(280, Math.min(720, Math.round(box.clientWidth || 640)));
      var H = Math.round(Math.max(280, Math.min(380, W * 0.58)));
      width = W;
      var ph = H - T - B, dec = decades(ys.concat(bs), Math.max(3, Math.floor(ph / 30)));
      function x(k) { return L + (W - L - R) * k / (n - 1); }
      function y(v) { return T + ph * (dec.hi - Math.log10(v)) / (dec.hi - dec.lo); }

      svg.textContent = "";
      svg.setAttribute("viewBox", "0 0 " + W + " " + H);
      svg.setAttribute("width", W); svg.setAttribute("height", H);
      svg.setAttribute("data-decades", dec.lo + " " + dec.hi);
      for (var e = dec.lo; e <= dec.hi; e += dec.step) {
        var ye = T + ph * (dec.hi - e) / (dec.hi - dec.lo);
        el("line", { x1: L, x2: W - R, y1: ye, y2: ye, class: "ge-grid" }, svg);
        el("text", { x: L - 6, y: ye + 4, "text-anchor": "end", class: "ge-tick ge-tick--y" }, svg).textContent = tickText(e);
      }
      for (var kk = 0; kk < n; kk += 10) {
        el("text", { x: x(kk), y: H - B + 18, "text-anchor": "middle", class: "ge-tick ge-tick--x" }, svg).textContent = kk;
      }
      el("line", { x1: L, x2: L, y1: T, y2: H - B, class: "ge-axis" }, svg);
      el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "ge-axis" }, svg);
      el("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle", class: "ge-label ge-label--x" }, svg).textContent = lab.x;
      el("text", { x: 0, y: 0, "text-anchor": "middle", class: "ge-label ge-label--y",
        transform: "translate(14 " + (T + ph / 2) + ") rotate(-90)" }, svg).textContent = lab.y;

      var notes = [];
      function curve(values, cls) {
        var d = "", pen = false;
        for (var k = 0; k < n; k++) {
          var v = values[k];
          if (plottable(v)) {
            d += (pen ? "L" : "M") + x(k).toFixed(1) + " " + y(v).toFixed(1); pen = true;
          } else {
            if (pen && below(v) || (k === 0 && below(v))) notes.push(k);
            pen = false;
          }
        }
        el("path", { d: d, class: cls }, svg);
      }
      curve(bs, "ge-bound");
      curve(ys, "ge-measured");
      notes.forEach(function (k) {  // the curve drops below 1e-300 (or to exactly 0) here
        var cx = x(k), cy = H - B;
        el("path", { d: "M" + (cx - 6) + " " + (cy - 10) + "h12l-6 10z", class: "ge-below" }, svg);
      });
      if (notes.length) {
        var nx = x(notes[0]), anchor = nx > (L + W - R) / 2 ? "end" : "start";
        el("text", { x: nx + (anchor === "end" ? -8 : 8), y: H - B - 6, "text-anchor": anchor, class: "ge-label ge-note" }, svg)
          .textContent = lab.below;
      }

      lamOut.textContent = lam;
      slider.setAttribute("aria-valuetext", lam);
      readout.textContent = lab.readout.replace("{k}", n - 1).replace("{m}", fmt(ys[n - 1]))
        .replace("{b}", fmt(bs[n - 1]));
    }
    sel.addEventListener("change", draw);
    slider.addEventListener("input", draw);
    slider.addEventListener("change", draw);
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        var w = Math.round(box.clientWidth);
        if (w && Math.max(280, Math.min(720, w)) !== width) draw();
      }).observe(box);
    }
    draw();
  }

  function init() { document.querySelectorAll(".gradient-explorer").forEach(setup); }
  init();  // the page loads this script right after the widget: draw it now, before what follows is laid out
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
