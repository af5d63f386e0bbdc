// Interactive chi_1 explorer (signal-propagation page): the reader moves sigma_w^2 (tanh, fixed sigma_b^2) and the
// depth L and sees chi_1 and chi_1^L, the mean-field factor of the backward second moment over L layers.
// Data computed at build time (derivations/signal_propagation.py, derivation signal_explorer; labels and HTML from
// docsgen/signal_explorer.py) and embedded in the page. Self-hosted, no dependencies, no network.
// The plot is log(chi_1^(L-l)) = (L-l) log chi_1 against L - l: a straight line, drawn at the container's width.
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var R = 16, T = 14, B = 44, L = 72, STEPS = [1, 2, 5, 10, 20, 50, 100];

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v) {
    if (v === 0 || !isFinite(v)) return String(v);
    return (v >= 1e-3 && v < 1e4) ? String(Number(v.toPrecision(4))) : v.toExponential(2);
  }
  function tickText(e) { return e === 0 ? "1" : "1e" + e; }

  function slider(min, max, value, aria) {
    var s = document.createElement("input");
    s.type = "range"; s.min = min; s.max = max; s.step = 1; s.value = value;
    s.setAttribute("aria-label", aria);
    return s;
  }
  function row(text, input, out) {
    var l = document.createElement("label"); l.className = "gradient-explorer__lambda";
    var span = document.createElement("span"); span.textContent = text;
    out.className = "gradient-explorer__value"; out.setAttribute("aria-hidden", "true");
    l.appendChild(span); l.appendChild(input); l.appendChild(out);
    return l;
  }

  function setup(box) {
    if (box.getAttribute("data-ready")) return;
    var script = box.parentNode && box.parentNode.querySelector(".signal-explorer-data");
    if (!script) return;
    var data = JSON.parse(script.textContent), lab = data.labels;
    box.setAttribute("data-ready", "1");
    box.innerHTML = "";

    var controls = document.createElement("div");
    controls.className = "gradient-explorer__controls";
    var start = data.sw2.indexOf("1.00");
    var sSw = slider(0, data.sw2.length - 1, start < 0 ? 0 : start, lab.sw2);
    var sL = slider(data.depths[0], data.depths[1], 20, lab.depth);
    var oSw = document.createElement("output"), oL = document.createElement("output");
    controls.appendChild(row(lab.sw2, sSw, oSw));
    controls.appendChild(row(lab.depth, sL, oL));
    box.appendChild(controls);

    var svg = el("svg", { role: "img", "aria-label": lab.y, class: "gradient-explorer__plot" }, box);
    var readout = document.createElement("p");
    readout.className = "gradient-explorer__readout";
    readout.setAttribute("aria-live", "polite");
    box.appendChild(readout);
    var width = 0;

    function draw() {
      var i = +sSw.value, depth = +sL.value, chi = data.chi1[i], lc = Math.log10(chi);
      var W = Math.max(280, Math.min(720, Math.round(box.clientWidth || 640)));
      var H = Math.round(Math.max(240, Math.min(340, W * 0.5)));
      width = W;
      var ph = H - T - B, end = depth * lc;
      var lo = Math.floor(Math.min(0, end) - 1e-9), hi = Math.ceil(Math.max(0, end) + 1e-9);
      if (hi - lo < 2) { lo -= 1; hi += 1; }
      var step = STEPS[STEPS.length - 1], maxTicks = Math.max(3, Math.floor(ph / 30));
      for (var s = 0; s < STEPS.length; s++) { if ((hi - lo) / STEPS[s] <= maxTicks) { step = STEPS[s]; break; } }
      lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
      function x(k) { return L + (W - L - R) * k / depth; }
      function y(e) { return T + ph * (hi - e) / (hi - lo); }

      svg.textContent = "";
      svg.setAttribute("viewBox", "0 0 " + W + " " + H);
      svg.setAttribute("width", W); svg.setAttribute("height", H);
      for (var e = lo; e <= hi; e += step) {
        el("line", { x1: L, x2: W - R, y1: y(e), y2: y(e), class: "ge-grid" }, svg);
        el("text", { x: L - 6, y: y(e) + 4, "text-anchor": "end", class: "ge-tick" }, svg).textContent = tickText(e);
      }
      var xs = depth <= 10 ? 1 : depth <= 25 ? 5 : depth <= 50 ? 10 : 20;
      for (var k = 0; k <= depth; k += xs) {
        el("text", { x: x(k), y: H - B + 18, "text-anchor": "middle", class: "ge-tick" }, svg).textContent = k;
      }
      el("line", { x1: L, x2: L, y1: T, y2: H - B, class: "ge-axis" }, svg);
      el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "ge-axis" }, svg);
      el("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle", class: "ge-label" }, svg).textContent = lab.x;
      el("text", { x: 0, y: 0, "text-anchor": "middle", class: "ge-label",
        transform: "translate(14 " + (T + ph / 2) + ") rotate(-90)" }, svg).textContent = lab.y;
      el("line", { x1: x(0), x2: x(depth), y1: y(0), y2: y(0), class: "ge-bound" }, svg);
      el("path", { d: "M" + x(0).toFixed(1) + " " + y(0).toFixed(1) + "L" + x(depth).toFixed(1) + " " + y(end).toFixed(1),
        class: "ge-measured" }, svg);

      var phase = Math.abs(chi - 1) < 5e-3 ? lab.critical : chi < 1 ? lab.ordered : lab.chaotic;
      oSw.textContent = data.sw2[i]; oL.textContent = depth;
      sSw.setAttribute("aria-valuetext", data.sw2[i] + ", χ₁ = " + fmt(chi));
      sL.setAttribute("aria-valuetext", String(depth));
      readout.textContent = lab.readout.replace("{b}", data.sb2).replace("{q}", fmt(data.q_star[i]))
        .replace("{c}", fmt(chi)).replace("{phase}", phase).replace("{L}", depth).replace("{p}", fmt(Math.pow(chi, depth)));
    }
    sSw.addEventListener("input", draw);
    sL.addEventListener("input", draw);
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        var w = Math.round(box.clientWidth);
        if (w && Math.max(280, Math.min(720, w)) !== width) draw();
      }).observe(box);
    }
    draw();
  }

  function init() { document.querySelectorAll(".signal-explorer").forEach(setup); }
  init();  // the page loads this script right after the widget: draw it now, before what follows is laid out
  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
