"""How wide a part of the page is, as the browser measures it.

The server cannot see the screen, and a User-Agent says nothing about a narrow desktop
window: a page that must fit its content to the width (the 地区 map's zoom) asks here. A
tiny component measures the block it is drawn in, reports the width, and reports again
when it changes (a window resized, a phone turned); each report reruns the page.
"""

from __future__ import annotations

import streamlit as st

# Our own script, no data in it. It measures the vertical block around it (its own element
# is hidden by CSS, so it takes no room) and reports only changes of a few pixels or more.
_JS = """
export default function ({ parentElement, setStateValue, data }) {
  const block = parentElement.closest('[data-testid="stVerticalBlock"]') || document.body;
  let said = (data && data.known) || 0;  // the server knows this one already
  const report = () => {
    const width = Math.round(block.getBoundingClientRect().width);
    if (width > 0 && Math.abs(width - said) >= 4) {
      said = width;
      setStateValue("width", width);
    }
  };
  const observer = new ResizeObserver(report);
  observer.observe(block);
  report();
  return () => observer.disconnect();
}
"""
_probe = st.components.v2.component("tousu_width", js=_JS, isolate_styles=False)
#: The last width measured in this browser session, by key: a page drawn again starts
#: from it instead of waiting for a new measurement.
_KEPT = "viewport_widths"


def width(key: str) -> int | None:
    """The width in CSS px of the block this is called in; None until the browser has
    measured it once in this session."""
    st.html(f"<style>.st-key-{key} {{ display: none; }}</style>")
    kept = st.session_state.setdefault(_KEPT, {})
    measured = _probe(key=key, data={"known": kept.get(key, 0)}, on_width_change=lambda: None)
    if measured.width:
        kept[key] = int(measured.width)
    return kept.get(key)
