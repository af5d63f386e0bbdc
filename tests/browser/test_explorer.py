"""The gradient explorer in headless Chromium, as a reader uses it: the y-axis covers the data of every setting (no
curve clamped flat at an edge), values below 1e-300 are marked, the axes are labelled in the page's language, the
slider tells screen readers the value of lambda_1, keyboard focus is visible, the curves have enough contrast in both
colour schemes, and on a phone the text is legible and nothing overflows."""

from __future__ import annotations

import json
import math
import re

import pytest

from docsgen.labels import label

from .test_pages import open_page

pytestmark = pytest.mark.browser

ACTIVATIONS = ("linear", "tanh", "sigmoid", "relu")
READY = ".gradient-explorer[data-ready='1'] path.ge-measured"
NUM = re.compile(r"-?\d+(?:\.\d+)?")

# Everything a test needs to know about the plot as drawn: the embedded data, the tick labels with their positions,
# the points of both paths, the markers, the readout and the slider.
STATE = """() => {
  const box = document.querySelector(".gradient-explorer");
  const data = JSON.parse(box.nextElementSibling.textContent);
  const svg = box.querySelector("svg.gradient-explorer__plot");
  const slider = box.querySelector("input[type=range]");
  const ticks = [...svg.querySelectorAll("text.ge-tick[text-anchor=end]")]
    .map(t => [t.textContent, +t.getAttribute("y") - 4]);
  return {
    data, ticks, act: box.querySelector("select").value, lam: data.lambdas[+slider.value],
    measured: svg.querySelector("path.ge-measured").getAttribute("d"),
    bound: svg.querySelector("path.ge-bound").getAttribute("d"),
    below: [...svg.querySelectorAll(".ge-below")].map(m => m.getBBox()).map(b => [b.x + b.width / 2, b.y + b.height]),
    notes: [...svg.querySelectorAll(".ge-note")].map(t => t.textContent),
    readout: box.querySelector(".gradient-explorer__readout").textContent,
    valuetext: slider.getAttribute("aria-valuetext"),
    shown: box.querySelector("output").textContent.trim(),
  };
}"""


def set_controls(page, act: str, lam: str) -> dict:
    """Pick ``act`` and ``lam`` with the controls and return the drawn state once the plot shows that setting."""
    page.select_option(".gradient-explorer select", act)
    index = page.evaluate(
        "l => JSON.parse(document.querySelector('.gradient-explorer-data').textContent).lambdas.indexOf(l)", lam
    )
    page.locator(".gradient-explorer input[type=range]").fill(str(index))
    page.wait_for_function("l => document.querySelector('.gradient-explorer output').textContent.trim() === l", arg=lam)
    state = page.evaluate(STATE)
    assert (state["act"], state["lam"]) == (act, lam)
    return state


def tick_exponent(text: str) -> int:
    return 0 if text == "1" else int(text.split("e", 1)[1].replace("−", "-"))


def points(d: str) -> list[tuple[float, float]]:
    nums = [float(v) for v in NUM.findall(d)]
    return list(zip(nums[::2], nums[1::2], strict=True))


def axis(state: dict) -> tuple[float, float, float, float]:
    """(intercept, slope, lowest exponent, highest exponent) of the y-axis read off its tick labels: pixel y of the
    decade e is intercept + slope * e. Every tick must lie on that line."""
    ticks = [(tick_exponent(t), y) for t, y in state["ticks"]]
    assert len(ticks) >= 3, state["ticks"]
    (e0, y0), (e1, y1) = ticks[0], ticks[-1]
    slope = (y1 - y0) / (e1 - e0)
    assert slope < 0  # up the screen is up the scale
    for e, y in ticks:
        assert y == pytest.approx(y0 + slope * (e - e0), abs=0.6), state["ticks"]
    lo, hi = min(e for e, _ in ticks), max(e for e, _ in ticks)
    return y0 - slope * e0, slope, lo, hi


def readout_values(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"\d\.\d+e[+-]\d+|\b0\b", text)]


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_the_y_axis_covers_every_point_of_every_setting(browser, server, act):
    page, seen = open_page(browser, server + "explorer/")
    try:
        page.wait_for_selector(READY)
        lambdas = page.evaluate("JSON.parse(document.querySelector('.gradient-explorer-data').textContent).lambdas")
        for lam in lambdas:
            state = set_controls(page, act, lam)
            ys = state["data"]["series"][act][lam]
            gamma = state["data"]["gamma"][act]
            bound = [(gamma * float(lam)) ** k for k in range(len(ys))]
            intercept, slope, lo, hi = axis(state)
            for name, values in (("measured", ys), ("bound", bound)):
                drawn = points(state[name])
                assert len(drawn) == len(values), f"{act} {lam} {name}: {len(drawn)} points for {len(values)} values"
                for k, ((_, py), v) in enumerate(zip(drawn, values, strict=True)):
                    assert lo <= math.log10(v) <= hi, (
                        f"{act} λ₁={lam} {name}[{k}] = {v:g} is off the axis 1e{lo}…1e{hi}"
                    )
                    want = intercept + slope * math.log10(v)
                    assert py == pytest.approx(want, abs=0.6), f"{act} λ₁={lam} {name}[{k}] = {v:g} drawn at a wrong y"
            m, b = readout_values(state["readout"])
            assert m == pytest.approx(ys[-1], rel=0.01) and lo <= math.log10(m) <= hi
            assert b == pytest.approx(bound[-1], rel=0.01)
            assert not state["below"] and not state["notes"]  # every value of the real data is >= 1e-300
        assert not seen["errors"]
    finally:
        page.close()


def test_a_curve_that_underflows_ends_with_a_marker_and_a_note(browser, server):
    """The real data never go below 1e-300; serve the page with a sigmoid curve that reaches 0 (and a subnormal) to
    see what the reader would get."""
    url = server + "explorer/"
    page, seen = open_page(browser, url)
    try:

        def patched(route):
            body = route.fetch().text()
            head, rest = body.split('class="gradient-explorer-data">', 1)
            payload, tail = rest.split("</script>", 1)
            data = json.loads(payload)
            curve = data["series"]["sigmoid"]["0.5"]
            curve[50] = 1e-320  # subnormal: a double, but below 1e-300
            curve[51:] = [0.0] * (len(curve) - 51)
            payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
            route.fulfill(
                response=route.fetch(), body=head + 'class="gradient-explorer-data">' + payload + "</script>" + tail
            )

        page.route(url, patched)
        page.reload(wait_until="networkidle")
        page.wait_for_selector(READY)
        state = set_controls(page, "sigmoid", "0.5")
        drawn = points(state["measured"])
        assert len(drawn) == 50  # the points that can be drawn on a log scale, k = 0..49
        intercept, slope, lo, hi = axis(state)
        assert all(intercept + slope * hi - 0.6 <= py <= intercept + slope * lo + 0.6 for _, py in drawn)
        assert len(state["below"]) == 1, state["below"]
        (mx, my), (x49, _) = state["below"][0], drawn[-1]
        step = drawn[1][0] - drawn[0][0]
        assert mx == pytest.approx(x49 + step, abs=1)  # at k = 50, where the curve leaves the scale
        assert my == pytest.approx(intercept + slope * lo, abs=1)  # on the bottom edge of the plot
        assert state["notes"] == [label("explorer.below", "en")]
        assert page.locator(".gradient-explorer .ge-note").is_visible()
        assert readout_values(state["readout"])[0] == 0
        assert not seen["errors"]
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_axes_and_legend_are_labelled_in_the_page_language(browser, server, lang):
    page, _ = open_page(browser, server + ("zh/" if lang == "zh" else "") + "explorer/", width=390)
    try:
        page.wait_for_selector(READY)
        for key in ("explorer.y", "explorer.x"):
            texts = page.locator(".gradient-explorer svg text").filter(has_text=label(key, lang))
            assert texts.count() == 1, f"no axis label {label(key, lang)!r}"
            assert texts.text_content() == label(key, lang) and texts.is_visible()
            inside = texts.evaluate(
                """t => { const r = t.getBoundingClientRect(), s = t.ownerSVGElement.getBoundingClientRect();
                          return r.left >= s.left - 0.5 && r.right <= s.right + 0.5
                              && r.top >= s.top - 0.5 && r.bottom <= s.bottom + 0.5; }"""
            )
            assert inside, f"{key} is cut off"
        assert page.locator(".gradient-explorer svg text.ge-label--y").get_attribute("transform"), "y label not rotated"
        assert page.locator(".gradient-explorer__legend li").count() == 2, "no legend outside the plot"
        legend = page.locator(".gradient-explorer__legend li")
        assert legend.all_inner_texts() == [label("explorer.measured", lang), label("explorer.bound", lang)]
        # the legend sits outside the plot, so it can never cover a curve
        apart = page.evaluate(
            """() => { const l = document.querySelector('.gradient-explorer__legend').getBoundingClientRect();
                       const p = document.querySelector('.gradient-explorer__plot').getBoundingClientRect();
                       return l.bottom <= p.top || l.top >= p.bottom; }"""
        )
        assert apart
    finally:
        page.close()


def test_the_slider_announces_lambda_not_its_step_index(browser, server):
    page, _ = open_page(browser, server + "explorer/")
    try:
        page.wait_for_selector(READY)
        slider = page.locator(".gradient-explorer input[type=range]")
        first = page.evaluate(STATE)
        assert first["valuetext"] == first["shown"] == first["lam"] == "1.0"
        for lam in ("0.5", "1.3", "2.0"):
            state = set_controls(page, "tanh", lam)
            assert state["valuetext"] == state["shown"] == lam
            assert page.locator(".gradient-explorer output").is_visible()
        slider.focus()
        page.keyboard.press("ArrowLeft")  # by keyboard, as a screen-reader user moves it
        page.wait_for_function("() => document.querySelector('.gradient-explorer output').textContent.trim() === '1.9'")
        assert slider.get_attribute("aria-valuetext") == "1.9"
    finally:
        page.close()


FOCUS_STYLE = """e => { const s = getComputedStyle(e);
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, shadow: s.boxShadow,
          visible: e.matches(':focus-visible')}; }"""

BACKGROUND = """e => { for (let n = e; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; }
  return 'rgb(255, 255, 255)'; }"""


def rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(v) for v in NUM.findall(css)[:3])
    return r, g, b


def contrast(a: str, b: str) -> float:
    def lum(c: tuple[float, float, float]) -> float:
        lin = [(v / 255 / 12.92) if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(rgb(a)), lum(rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def set_scheme(page, scheme: str) -> str:
    """Switch the page to ``scheme`` and return the background colour behind the explorer."""
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)
    page.wait_for_function("s => document.body.getAttribute('data-md-color-scheme') === s", arg=scheme)
    return page.locator(".gradient-explorer").evaluate(BACKGROUND)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_both_curves_have_3_to_1_contrast(browser, server, scheme):
    page, _ = open_page(browser, server + "explorer/")
    try:
        page.wait_for_selector(READY)
        background = set_scheme(page, scheme)
        for cls in ("ge-measured", "ge-bound"):
            stroke = page.locator(f".gradient-explorer__plot path.{cls}").evaluate("p => getComputedStyle(p).stroke")
            ratio = contrast(stroke, background)
            assert ratio >= 3, f"{cls} {stroke} on {background} ({scheme}): {ratio:.2f}:1"
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_keyboard_focus_is_visible(browser, server, scheme):
    page, _ = open_page(browser, server + "explorer/")
    try:
        page.wait_for_selector(READY)
        background = set_scheme(page, scheme)
        box = page.locator(".gradient-explorer")
        sel, slider = box.locator("select"), box.locator("input[type=range]")
        for target, other, key in ((slider, sel, "Tab"), (sel, slider, "Shift+Tab")):
            unfocused = target.evaluate(FOCUS_STYLE)
            other.focus()
            page.keyboard.press(key)  # keyboard focus, as a keyboard user gets there
            page.wait_for_function("e => document.activeElement === e", arg=target.element_handle())
            focused = target.evaluate(FOCUS_STYLE)
            assert focused["visible"]
            # a real ring: a solid (not the faint UA "auto") outline of >= 2px, or a box-shadow that appears on focus
            ring = focused["style"] not in ("none", "auto") and focused["width"] >= 2
            assert ring or focused["shadow"] != unfocused["shadow"], (unfocused, focused)
            if ring:
                assert contrast(focused["color"], background) >= 3, (focused["color"], background)
    finally:
        page.close()


@pytest.mark.parametrize("prefix", ["", "zh/"])
def test_on_a_phone_text_is_legible_the_slider_is_wide_and_nothing_overflows(browser, server, prefix):
    page, _ = open_page(browser, server + prefix + "explorer/", width=390)
    try:
        page.wait_for_selector(READY)
        for act, lam in (("sigmoid", "0.5"), ("linear", "2.0"), ("tanh", "1.0")):
            set_controls(page, act, lam)
            heights = page.locator(".gradient-explorer text.ge-tick").evaluate_all(
                "ts => ts.map(t => [t.textContent, t.getBoundingClientRect().height])"
            )
            assert heights and all(h >= 11 for _, h in heights), [t for t in heights if t[1] < 11]
            label_heights = page.locator(".gradient-explorer text.ge-label").evaluate_all(
                "ts => ts.map(t => Math.min(t.getBoundingClientRect().height, t.getBoundingClientRect().width))"
            )
            assert all(h >= 11 for h in label_heights), label_heights
            overflow = page.evaluate(
                """() => { const box = document.querySelector('.gradient-explorer').getBoundingClientRect();
                    const out = [...document.querySelectorAll('.gradient-explorer *')].filter(e => {
                        const r = e.getBoundingClientRect();
                        return r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5); });
                    return [document.documentElement.scrollWidth - window.innerWidth,
                            out.map(e => e.tagName + '.' + e.getAttribute('class') + ':' + e.textContent.slice(0, 20))];
                }"""
            )
            assert overflow[0] <= 0 and not overflow[1], overflow
        widths = page.evaluate(
            """() => [document.querySelector('.gradient-explorer input[type=range]').getBoundingClientRect(),
                      document.querySelector('.gradient-explorer').getBoundingClientRect()]
                      .map(r => [r.width, r.height])"""
        )
        (slider_w, slider_h), (box_w, _) = widths
        assert slider_w >= 0.75 * box_w, f"slider {slider_w:.0f}px wide in a {box_w:.0f}px column"
        assert slider_h >= 32, f"slider only {slider_h:.0f}px tall: hard to hit by touch"
    finally:
        page.close()
