"""Accessibility checks shared by the browser tests: axe-core on WCAG 2.2 AA, titles, reflow, focus."""

from __future__ import annotations

import re
import textwrap

from axe_playwright_python.sync_playwright import Axe

# Every WCAG 2.0, 2.1 and 2.2 level A and AA rule axe-core has (colour contrast included), plus the
# best-practice rule `region`: all content is inside a landmark (header, nav, main, footer).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EXTRA_RULES = ["region"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {rule: {"enabled": True} for rule in EXTRA_RULES},  # `rules` switches these on beside the tags
    "resultTypes": ["violations"],
}

SCRIPT = re.compile(r"<script\b.*?</script>", re.IGNORECASE | re.DOTALL)

_axe = Axe()

# Resolves when every finite CSS animation and transition has ended (a cancelled one counts as
# ended). axe reads colours as they are drawn, so a message still fading in (Wagtail's admin
# messages do) would be measured half-transparent and fail colour contrast by chance.
SETTLE_ANIMATIONS = """() => Promise.all(document.getAnimations()
  .filter((animation) => animation.effect && animation.effect.getComputedTiming().endTime !== Infinity)
  .map((animation) => animation.finished.catch(() => null)))"""

# Every public page type is checked at both: a desktop window and 320 CSS px (400% zoom of 1280 px, WCAG 1.4.10).
VIEWPORTS = {"desktop": {"width": 1024, "height": 768}, "320px": {"width": 320, "height": 640}}


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG A/AA violations (and `region`) on the page as it is now.

    axe-core is JavaScript, and its promise never settles in a page with JavaScript off
    (`page.javascript = False`, see the conftest): there, the page's HTML as the server sent
    it, minus its scripts, is served again at the same URL to a scripted page, and checked there.
    """
    if getattr(page, "javascript", True):
        page.evaluate(SETTLE_ANIMATIONS)
        return _axe.run(page, options=AXE_OPTIONS).response["violations"]
    html = SCRIPT.sub("", page.content())
    context = page.context.browser.new_context()
    try:
        copy = context.new_page()
        copy.route(page.url, lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        copy.goto(page.url)
        copy.evaluate(SETTLE_ANIMATIONS)
        return _axe.run(copy, options=AXE_OPTIONS).response["violations"]
    finally:
        context.close()


def describe_violations(violations: list[dict]) -> str:
    """Violations as a readable list: rule, impact, what to fix, and each element that fails it."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {textwrap.shorten(node['html'], 160)}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"       {summary_line.strip()}")
    return "\n".join(lines)


def assert_accessible(page, name: str = "") -> None:
    """Fail with a readable report on any WCAG 2.0/2.1/2.2 A or AA violation, or content outside landmarks."""
    violations = axe_violations(page)
    where = f"{name} ({page.url})" if name else page.url
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {where}:\n{describe_violations(violations)}"
    )


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


FOCUS_STYLE_SCRIPT = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  // GOV.UK radios and checkboxes hide the native input and draw the focus ring on the label's ::before.
  const custom = element.matches('.govuk-radios__input, .govuk-checkboxes__input');
  const label = custom ? document.querySelector('label[for="' + element.id + '"]') : null;
  const style = label ? getComputedStyle(label, '::before') : getComputedStyle(element);
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    classes: typeof element.className === 'string' ? element.className : '',
    text: (element.innerText || element.value || '').replace(/\\s+/g, ' ').trim().slice(0, 60),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
  };
}"""


def focused(page) -> dict | None:
    """The focused element: tag, id, classes, text, and the computed styles that show focus."""
    return page.evaluate(FOCUS_STYLE_SCRIPT)


def _transparent(colour: str) -> bool:
    """True for "transparent" and rgba(…, 0); rgb(255, 221, 0) is yellow, not transparent."""
    return colour == "transparent" or bool(re.fullmatch(r"rgba\(.*,\s*0(\.0*)?\)", colour.strip()))


def has_visible_focus(style: dict) -> bool:
    """A focus indicator people can see: an opaque outline of at least 2 px, or a box shadow."""
    outline = style["outlineStyle"] != "none" and style["outlineWidth"] >= 2 and not _transparent(style["outlineColor"])
    return outline or style["boxShadow"] not in ("", "none")


def add_styles(page, css: str) -> None:
    """Add CSS to the page as a constructed style sheet: the CSP refuses an inline <style> (add_style_tag)."""
    page.evaluate(
        "(css) => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);"
        " document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }",
        css,
    )
