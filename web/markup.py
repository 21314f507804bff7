"""Text from data in Streamlit elements that read Markdown — shown as typed, never as markup.

st.markdown, st.title/header/subheader, st.caption, st.info/success/warning/error,
st.metric (label *and* value), st.tabs, st.expander and every widget label interpret
Markdown: images (fetched by every visitor's browser), links, bold, ``:red[colour]``
directives, ``:material/…:`` icons, LaTeX and HTML. A platform, sector, problem type,
username or message that embeds such data passes through :func:`literal` first.

Elements that show plain text need nothing: st.text, st.code, st.dataframe, chart titles
(Vega), and the options of st.selectbox and st.multiselect. The options of
st.segmented_control and st.pills do interpret Markdown: give them a ``format_func``
that calls :func:`literal` if they ever list data.
"""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation, which covers Markdown, HTML,
# LaTeX ($) and Streamlit's directives (:red[…], :material/…:).
_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")
# GitHub-flavoured Markdown turns bare URLs and e-mail addresses into links *after*
# escapes are resolved. An invisible word joiner in front stops that (the link would
# need a space or punctuation before it) while the text reads the same.
_AUTOLINK = re.compile(r"(?i)(https?:|ftp:|mailto:|www\.|@)")
WORD_JOINER = "\u2060"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def literal(value: object) -> str:
    """``value`` as text that Markdown shows character for character, on one line."""
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _AUTOLINK.sub(WORD_JOINER + r"\1", text)
    return _PUNCTUATION.sub(r"\\\1", text)
