"""Personal data out of free text: one scrubber for everyone who is not staff.

People type their phone so the platform calls back, paste order numbers and sign with
their name. Before a title, content, demand, reply, rejection reason or headline leaves
the domain for anyone but staff, :func:`scrub` replaces

- the complainant's own name (full name, spaced out, given name alone) with the reports'
  style 陈女士 / 陈先生, so the text still reads naturally;
- mobile and landline numbers, ID numbers (18 and 15 digits), bank cards (Luhn), e-mail
  addresses, licence plates, labelled QQ / WeChat ids, labelled order and waybill
  numbers, labelled addresses, and any other long run of digits with a visible
  placeholder such as ``[电话已隐去]`` — never a partial mask that still identifies;
- the complainant's own phone, e-mail, ID and order number wherever they appear verbatim.

The rule, not a list of spellings: invisible characters (Unicode's format characters:
139\u200b1234 is 1391234 on screen) are dropped first; matching then runs on a copy of the
text with full-width forms, digits of any script or form and variants of dashes and dots
folded to one character each (１３８ / 𝟏𝟑𝟖 / ①③⑧ → 138, ＠ → @, — → -, ・ → ·), character for
character, so replacements land on the original text and everything else stays byte for
byte. A number is read by its digits and its
shape, whatever stands between them: up to three separators (space, line break, dash,
dot, slash, brackets, 。 …) between any two digits; a comma or 、 ends it (they separate
numbers in lists and thousands). The shape decides: 11 digits 1[3-9]… (after +86 or
0086), 0 + area code + 7–8 digits, 18/15 digits around a valid birth date, 16–19 digits
in groups of four; a labelled value must have the label's own shape (an address must
look like one: 地址不符 is not an address).

Dates (2023年5月19日, 2022-12-09, 2023.05.19, 15点44分), amounts (5000元, 46.1元,
¥1,299.00), durations, quantities, hotlines (12315, 400-…, 95188) and platform and shop
names survive: they are tokens of their own, and a number ends before a gap followed by
one. A name of someone other than the complainant cannot be recognised by rules and is
left as typed. ``tests/test_scrubber_generated.py`` holds the grammar the rules are
tested against.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# --- placeholders -----------------------------------------------------------------------

PHONE = "[电话已隐去]"
ID_NUMBER = "[身份证号已隐去]"
BANK_CARD = "[银行卡号已隐去]"
EMAIL = "[邮箱已隐去]"
QQ = "[QQ号已隐去]"
WECHAT = "[微信号已隐去]"
ORDER = "[订单号已隐去]"
WAYBILL = "[运单号已隐去]"
ADDRESS = "[地址已隐去]"
PLATE = "[车牌号已隐去]"
NUMBER = "[号码已隐去]"
NAME = "[姓名已隐去]"
PLACEHOLDERS = (
    PHONE,
    ID_NUMBER,
    BANK_CARD,
    EMAIL,
    QQ,
    WECHAT,
    ORDER,
    WAYBILL,
    ADDRESS,
    PLATE,
    NUMBER,
)

# --- folding ----------------------------------------------------------------------------


class _Folding(dict):
    """The folding table, filled as characters are met: a digit of any script or form
    (𝟏, ①, ١, ５) reads as its ASCII digit."""

    def __missing__(self, cp: int) -> int:
        digit = unicodedata.digit(chr(cp), None) if cp > 0x7F else None
        folded = cp if digit is None else ord(str(digit))
        self[cp] = folded
        return folded


_FOLD = _Folding({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})  # ！…～ → !…~
_FOLD.update(dict.fromkeys(map(ord, "\u3000\u00a0\u2007\u202f"), ord(" ")))
_FOLD.update(dict.fromkeys(map(ord, "‐‑‒–—―﹣−"), ord("-")))
_FOLD.update(dict.fromkeys(map(ord, "・･•‧∙⋅"), ord("·")))
_FOLD.update({ord("｡"): ord("。"), ord("﹒"): ord("."), ord("〜"): ord("~"), ord("￥"): ord("¥")})


def _fold(text: str) -> str:
    """Same length as ``text``: offsets found in the result index the original."""
    return text.translate(_FOLD)


# --- shapes -----------------------------------------------------------------------------

# What may stand between two digits of one number (after folding): up to three of these.
# Not the comma nor 、: they separate numbers in lists and thousands.
_GAP_CHAR = r"[ \t\r\n\-./\\_·~()\[\]{}<>【】〔〕「」。|*]"
_GAP1 = _GAP_CHAR + "{1,3}"

# Dates, times and amounts are tokens of their own. A date is not continued by a
# separator and more digits (1990.10.12.345 is a number in groups, not a date).
_DAY = r"(?:19|20)\d{2}[-./](?:1[0-2]|0?[1-9])[-./](?:3[01]|[12]\d|0?[1-9])(?!\d)"
_ALONE = r"(?![ \t]*[-./][ \t]*\d)"
_DATE = _DAY + _ALONE
_COMPACT_DAY = r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"
_MONTH_DAY = r"(?:1[0-2]|0?[1-9])[./](?:3[01]|[12]\d|0?[1-9])(?![\d.])"
# Kept as they are, so their digits never join a number: 2023.05.13-2023.06.19, 1.31~11.17
_DATES = (
    rf"(?<!\d){_DAY}(?:[ \t]*[-~至到][ \t]*{_DAY})?{_ALONE}"
    rf"|(?<![\d.]){_MONTH_DAY}[ \t]*[-~][ \t]*{_MONTH_DAY}"
)
_TIME = r"\d{1,2}[:点时]"
_AMOUNT = r"\d+(?:\.\d+)?[ \t]*元"
# A number of a shape that varies (a labelled value, a long run) followed by a currency is
# an amount, not an identifier: 手机 12345678元. Only currencies: units of time or count
# begin everyday words (天天, 人工, 个人, 期间, 千万, 万一), so 手机13912345678天天被骚扰
# would keep its number; a number of an identifier's fixed shape (a mobile, an ID, a
# landline, a card in groups) is never a quantity.
_NOT_MONEY = r"(?!(?:\.\d+)?[ \t]*(?:元|块|%|美元|港元|万元|亿元|万块|万美元))"
_NO_DATE = f"(?!{_DATE}|{_COMPACT_DAY})"  # a labelled value is not a date: 电话 2023-05-19

# The gap before the next digit of a number, unless a date, a time or an amount starts
# after it: 电话 138 0013 8001\n2023-05-19 ends before the date.
_NEXT = _GAP1 + f"(?!{_DATE}|{_TIME}|{_AMOUNT})"
_GAP = f"(?:{_NEXT})?"
_ANY_GAP = f"(?:{_GAP1}(?!{_TIME}|{_AMOUNT}))?"  # a date may follow
_MORE = f"(?:\\d|{_NEXT}\\d)"  # one more digit of a number whose length varies


def _spread(template: str, gap: str = _GAP) -> str:
    """``template`` with each space turned into a gap: "1 3 8" matches 138, 1-38, 1 (3) 8."""
    return template.replace(" ", gap)


def _both(template: str) -> str:
    """``template`` spread, first without a date after a gap, then with one as long as
    the number does not go on after it: a value whose own tail reads as a date."""
    return f"{_spread(template)}(?!\\d)|{_spread(template, _ANY_GAP)}(?!\\d){_ALONE}"


_MOBILE_DIGITS = r"(?:(?:\+|00) 8 6 |8 6 )?1 [3-9]" + r" \d" * 9
_ID18_DIGITS = (
    r"[1-8] \d \d \d \d \d (?:1 8|1 9|2 0) \d \d (?:0 [1-9]|1 [0-2]) "
    r"(?:0 [1-9]|[12] \d|3 [01]) \d \d \d [\dXx]"
)
_ID15_DIGITS = r"[1-8] \d \d \d \d \d \d \d (?:0 [1-9]|1 [0-2]) (?:0 [1-9]|[12] \d|3 [01]) \d \d \d"
_MOBILE = _spread(_MOBILE_DIGITS)
_LANDLINE = r"0\d{2,3}" + _ANY_GAP + "(?:" + _both(r"[1-9] \d \d \d \d \d \d(?: \d)?") + ")"
_HOTLINE = _spread(r"[48] 0 0 \d \d \d \d \d \d \d")  # business numbers survive

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_ADDRESS_CHAR = r"[^,.;:!?，。；：！？、\n\[\]()【】〔〕「」<>]"
# An address names a numbered building part (not a date: 5月12号), or an administrative
# area and a place in it; and it does not start with a word that says something about
# the address instead (地址不符, 地址填写有误, 地址已更改).
_ADDRESS_EVIDENCE = (
    r"(?<![月\d])\d+[ \t]*(?:号|栋|幢|座|楼|层|室|单元|弄|巷|排|组)"
    r"|(?:省|自治区|市)" + _ADDRESS_CHAR + r"{0,12}?(?:市|区|县|旗|镇|乡|街道|路|街|村)"
)

# e-mail spelt to dodge harvesters: x(at)qq.com, x＠qq。com, x at qq dot com
_AT = r"(?:[ \t]{0,2}(?:@|\((?i:at)\)|\[(?i:at)\]|\{(?i:at)\}|<(?i:at)>|#)[ \t]{0,2}| (?i:at) )"
_DOT = r"(?:[ \t]{0,2}[.。][ \t]{0,2}|[ \t]?[(\[](?i:dot)[)\]][ \t]?| (?i:dot) )"
_DOMAIN_PART = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"

_SEP = r"[ \t]*(?:号码|号|(?:ID|id)(?=[ \t:=是为]))?[ \t]*(?:是|为)?[ \t]*[:=]?[ \t]*[(\[【]?"
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"


def _fixed(suffix: str, gap: str, end: str) -> list[tuple[str, str]]:
    shapes = (("id18", _ID18_DIGITS), ("id15", _ID15_DIGITS), ("mobile", _MOBILE_DIGITS))
    before, after = r"(?<![\d+])", r"(?![\dA-Za-z])" + end
    return [(kind + suffix, before + _spread(digits, gap) + after) for kind, digits in shapes]


def _labelled(kind: str, labels: str, value: str) -> tuple[str, str]:
    return kind, labels + _SEP + f"(?P<{kind}_v>{value})"


# Tried left to right at each position; the first alternative that matches wins, so
# labelled forms (which start at the label, before the value) beat the bare shapes, and
# the kept forms (hotlines, amounts after a currency sign) hide their digits from them.
_PATTERNS: list[tuple[str, str]] = [
    ("wxid", _NOT_ALNUM_BEFORE + r"wxid_[A-Za-z0-9_\-]{4,}"),
    (
        "email",
        r"[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}+"  # bounded: a run of digits is no e-mail
        + _AT
        + _DOMAIN_PART
        + f"(?:{_DOT}{_DOMAIN_PART})*"
        + _DOT
        + r"[A-Za-z]{2,}",
    ),
    # labelled values: the label stays, the value goes
    _labelled(
        "phone",
        r"(?<![A-Za-z])(?i:联系电话|联系方式|手机号码|手机号|电话号码|电话|手机|座机|tel|phone|mobile)",
        _NO_DATE
        + r"(?!"
        + _HOTLINE
        + r")[2-9]\d{2,3}[ \-]?\d{4}(?!\d|"
        + _NEXT
        + r"\d)"
        + _NOT_MONEY,
    ),
    _labelled(
        "id",
        r"(?:身份证号码|身份证号|身份证|证件号码|证件号)",
        _both(r"\d" + r" \d" * 13 + r"(?: \d \d \d)? [\dXx]"),
    ),
    _labelled(
        "bank",
        r"(?:银行卡号|银行卡|卡号|银行账号)",
        _both(r"\d(?: \d){11,18}"),
    ),
    _labelled(
        "qq",
        r"(?<![A-Za-z])(?i:qq|扣扣|企鹅号)",
        _MOBILE
        + r"(?!\d)|"
        + _NO_DATE
        + r"[1-9](?:\d{2,10}(?:"
        + _NEXT
        + r"\d{3,10}){1,3}|\d{4,11})(?!\d)"
        + _NOT_MONEY,
    ),
    _labelled(
        "wechat",
        r"(?<![A-Za-z])(?i:微信号|微信|weixin|wechat|wx|vx|v信|薇信|威信|加微|加v|绿泡泡)",
        r"[A-Za-z][-_A-Za-z0-9]{5,29}|" + _MOBILE + r"(?!\d)|[1-9]\d{5,11}(?!\d)" + _NOT_MONEY,
    ),
    _labelled(
        "waybill",
        r"(?:运单号码|运单号|运单编号|快递单号|物流单号|快递号|物流号)",
        _NO_DATE
        + r"(?=(?:[A-Za-z\-]*\d){4})[A-Za-z0-9][A-Za-z0-9\-]{5,39}"
        + _NOT_ALNUM_AFTER
        + _NOT_MONEY,
    ),
    _labelled(
        "order",
        r"(?:订单编号|订单号码|订单号|交易单号|交易号|流水号|单号|订单)",
        _NO_DATE
        + r"(?=(?:[A-Za-z\-]*\d){4})[A-Za-z0-9][A-Za-z0-9\-]{5,39}"
        + _NOT_ALNUM_AFTER
        + _NOT_MONEY,
    ),
    _labelled(
        "address",
        r"(?:收货地址|收件地址|家庭住址|家庭地址|详细地址|住址|地址|家住)",
        r"(?![已不没未无错有填写被改变更修的了和与及或也都还就])(?="
        + _ADDRESS_CHAR
        + r"{0,40}?(?:"
        + _ADDRESS_EVIDENCE
        + r"))"
        + _ADDRESS_CHAR
        + r"{4,60}",
    ),
    # bare shapes
    (
        "plate",
        rf"[{_PROVINCES}][A-Za-z][ \t]?[·\-.]?[ \t]?(?=(?:[A-Za-z]*\d){{3}})[A-Za-z0-9]{{5,6}}"
        + _NOT_ALNUM_AFTER,
    ),
    (
        "kept",
        r"(?:¥|\$|RMB|CNY|USD)[ \t]*\d[\d,]*(?:\.\d+)?"
        + (r"|(?<!\d)" + _HOTLINE + r"(?!\d)|" + _DATES),
    ),
    # Numbers of fixed length, first without a date after a gap (1838005 3051\n2023-05-19
    # is a phone and a date, not an ID ending in 2023); cards in groups of four; then the
    # fixed shapes again with a date after a gap: a number whose own tail reads as a date
    # (16958/1941/2/7) is still that number.
    *_fixed("", _GAP, ""),
    ("grouped", r"(?<!\d)\d{4}(?:" + _NEXT + r"\d{4}){3}" + _MORE + "{0,3}(?!\\d)"),
    *_fixed("_any", _ANY_GAP, _ALONE),
    ("landline", r"(?<!\d)" + _LANDLINE + r"(?!\d)"),
    # any other long run of digits (order numbers pasted bare), unless it is an amount
    (
        "long",
        _NOT_ALNUM_BEFORE
        + r"[A-Za-z]{0,6}\d{9,}[A-Za-z0-9]*"
        + _NOT_ALNUM_AFTER
        + r"(?!\.\d)"
        + _NOT_MONEY,
    ),
]
# Every alternative starts with one of these characters: the lookahead lets the engine
# skip other positions (most of a Chinese text) at once — about 5× faster.
_FIRST = (
    r"(?=[0-9A-Za-z+¥$联手电座身证银卡扣企微薇威加绿运快物订交流单收家详住地" + _PROVINCES + "])"
)
_MATCHER = re.compile(_FIRST + "(?:" + "|".join(f"(?P<{n}>{rx})" for n, rx in _PATTERNS) + ")")
_LABELLED = {
    "phone": PHONE,
    "id": ID_NUMBER,
    "bank": BANK_CARD,
    "qq": QQ,
    "wechat": WECHAT,
    "waybill": WAYBILL,
    "order": ORDER,
    "address": ADDRESS,
}
_BARE = {
    "wxid": WECHAT,
    "email": EMAIL,
    "plate": PLATE,
    **dict.fromkeys(("id18", "id15", "id18_any", "id15_any"), ID_NUMBER),
    **dict.fromkeys(("mobile", "mobile_any", "landline"), PHONE),
}
_OPENING, _CLOSING = "([{<【〔「", ")]}>】〕」"


def luhn_ok(digits: str) -> bool:
    """The bank-card check digit (ISO/IEC 7812)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _replacement(match: re.Match[str]) -> tuple[int, int, str] | None:
    """(start, end, placeholder) for one match; None when the match is kept."""
    kind = match.lastgroup or ""
    if kind in _LABELLED:
        return match.start(f"{kind}_v"), match.end(f"{kind}_v"), _LABELLED[kind]
    if kind in _BARE:
        return match.start(), match.end(), _BARE[kind]
    if kind in ("grouped", "long"):
        found = match.group()
        digits = _digits(found)
        card = 16 <= len(digits) <= 19 and luhn_ok(digits) and found[0].isdigit()
        return match.start(), match.end(), BANK_CARD if card else NUMBER
    return None  # kept


def _closes_one(text: str) -> bool:
    """True when ``text`` closes exactly one bracket it did not open: (138)1234 5678
    matched from 1 — the bracket before belongs to the number. Brackets used as
    separators (6217】0050】0653】…) close many and leave the text before alone."""
    depth = lowest = 0
    for ch in text:
        depth += (ch in _OPENING) - (ch in _CLOSING)
        lowest = min(lowest, depth)
    return lowest == -1


@lru_cache(maxsize=65536)
def _scrub_patterns(text: str) -> str:
    out: list[str] = []
    last = 0
    folded = _fold(text)
    for match in _MATCHER.finditer(folded):
        found = _replacement(match)
        if found is None:
            continue
        start, end, placeholder = found
        if start > last and folded[start - 1] in _OPENING and _closes_one(folded[start:end]):
            start -= 1  # the bracket opened before the number goes with it
        out += [text[last:start], placeholder]
        last = end
    out.append(text[last:])
    return "".join(out)


# --- the complainant --------------------------------------------------------------------

COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "闻人",
        "澹台",
        "公冶",
        "宗政",
        "濮阳",
        "太叔",
        "申屠",
        "端木",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "独孤",
        "万俟",
    ]
)
_MASKED_NAME = re.compile(r"^.{1,2}(?:女士|先生|小姐|用户|某+|\*+|＊+)$")
_HONORIFIC = r"(?:女士|先生|小姐|同学|老师)?"


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def surname_of(name: str | None) -> str | None:
    """The surname of a Chinese name (compound surnames included); None if not Chinese."""
    name = (name or "").strip()
    if not name or not _is_cjk(name[0]):
        return None
    return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]


def polite_form(name: str | None, gender: str | None) -> str:
    """陈女士 / 陈先生 / 陈某: how the reports write a complainant in prose."""
    surname = surname_of(name)
    if surname is None:
        return NAME
    return surname + {"女": "女士", "男": "先生"}.get(gender or "", "某")


@dataclass(frozen=True)
class Subject:
    """Whom a text is about: the complainant's name and gender, and contact values of
    theirs that must go wherever they appear verbatim (phone, e-mail, ID, order number)."""

    name: str | None = None
    gender: str | None = None
    #: (value, placeholder) pairs, longest value first.
    known: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls,
        name: str | None,
        gender: str | None = None,
        *,
        phone: str | None = None,
        email: str | None = None,
        id_number: str | None = None,
        order_number: str | None = None,
    ) -> Subject:
        pairs = {
            value.strip(): placeholder
            for value, placeholder in (
                (phone, PHONE),
                (email, EMAIL),
                (id_number, ID_NUMBER),
                (order_number, ORDER),
            )
            if value and len(value.strip()) >= 4
        }
        known = tuple(sorted(pairs.items(), key=lambda kv: -len(kv[0])))
        return cls(name, gender, known)


def _spaced(chars: str) -> str:
    """``chars`` with any spaces between them (an invisible character folds to one)."""
    return r"[ \t]*".join(re.escape(ch) for ch in chars)


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    name = re.sub(r"\s+", "", name)
    if not name or _MASKED_NAME.match(name):
        return None  # already in the reports' style
    surname = surname_of(name)
    if surname is None:  # a name in Latin letters: the whole name, any case
        return re.compile(_spaced(name), re.IGNORECASE) if len(name) >= 2 else None
    given = name[len(surname) :]
    forms = [_spaced(name) + _HONORIFIC]
    if len(given) >= 2:  # a one-character given name alone is too common a character
        forms.append(_spaced(given) + _HONORIFIC)
    return re.compile("|".join(forms))


def _scrub_subject(text: str, subject: Subject) -> str:
    """The complainant's values and name, found in the folded text and replaced in
    ``text`` at the same offsets: one split by invisible characters (张\u200b三丰) or
    typed in full-width forms is still found."""
    replacements = [(_value_pattern(value), placeholder) for value, placeholder in subject.known]
    if subject.name:
        pattern = _name_pattern(subject.name.strip())
        if pattern is not None:
            replacements.append((pattern, polite_form(subject.name, subject.gender)))
    folded = _fold(text)
    for pattern, replacement in replacements:
        out, last = [], 0
        for match in pattern.finditer(folded):
            out += [text[last : match.start()], replacement]
            last = match.end()
        if out:
            text = "".join(out) + text[last:]
            folded = _fold(text)
    return text


@lru_cache(maxsize=4096)
def _value_pattern(value: str) -> re.Pattern[str]:
    """The complainant's own value as typed, folded, with gaps where the text has any."""
    return re.compile(_spaced(_fold(value)))


@lru_cache(maxsize=1)
def _invisible() -> re.Pattern[str]:
    """Unicode's format characters (zero-width space and joiners, soft hyphen, word joiner,
    direction marks and overrides, BOM, tags): they show nothing, and between two digits
    or letters they would hide a number or a name from every rule."""
    found = (chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf")
    return re.compile("[" + "".join(map(re.escape, found)) + "]")


def scrub(text: str | None, subject: Subject | None = None) -> str | None:
    """``text`` without personal data (see the module docstring), and without invisible
    characters; None stays None."""
    if not text:
        return text
    text = _invisible().sub("", text)
    if subject is not None:
        text = _scrub_subject(text, subject)
    return _scrub_patterns(text)
