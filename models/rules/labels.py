"""The canonical Chinese labels of the domain, and how loose input maps onto them."""

from __future__ import annotations

from decimal import Decimal

from models.rules.privacy import surname_of

UNKNOWN = "未知"
NOT_CHOSEN = "未选择"

# Workflow (DESIGN.md): pending → transferred → replied → rated, or rejected on review.
PENDING = "待审核"
TRANSFERRED = "已移交"
REPLIED = "已回复"
RATED = "已评价"
REJECTED = "不予受理"
STATUSES = (PENDING, TRANSFERRED, REPLIED, RATED, REJECTED)
#: Only these count towards ratings and public dashboards.
COUNTING_STATUSES = (TRANSFERRED, REPLIED, RATED)

MALE, FEMALE = "男", "女"
GENDERS = (FEMALE, MALE, UNKNOWN)
_GENDER_ALIASES = {
    "男": MALE,
    "m": MALE,
    "male": MALE,
    "先生": MALE,
    "女": FEMALE,
    "f": FEMALE,
    "female": FEMALE,
    "女士": FEMALE,
    "": UNKNOWN,
    "未知": UNKNOWN,
    "unknown": UNKNOWN,
}

# Amount brackets as the reports print them, in order; a bracket includes its lower bound.
# The one scheme every stored complaint, chart and table uses.
AMOUNT_BRACKETS = (
    "0-100元",
    "100-500元",
    "500-1000元",
    "1000-5000元",
    "5000-10000元",
    "10000元以上",
    NOT_CHOSEN,
)
#: Coarse brackets some merchant-side reports use, spanning several of the scheme's (yuan,
#: lower bound included): read through the complaint's amount, never stored.
COARSE_BRACKETS: dict[str, tuple[int, int]] = {"0-5万元": (0, 50000)}
_BRACKET_BOUNDS = (
    (100, "0-100元"),
    (500, "100-500元"),
    (1000, "500-1000元"),
    (5000, "1000-5000元"),
    (10000, "5000-10000元"),
)

# China's 34 provincial-level regions: full official name → short form.
PROVINCES: dict[str, str] = {
    "北京市": "北京",
    "天津市": "天津",
    "河北省": "河北",
    "山西省": "山西",
    "内蒙古自治区": "内蒙古",
    "辽宁省": "辽宁",
    "吉林省": "吉林",
    "黑龙江省": "黑龙江",
    "上海市": "上海",
    "江苏省": "江苏",
    "浙江省": "浙江",
    "安徽省": "安徽",
    "福建省": "福建",
    "江西省": "江西",
    "山东省": "山东",
    "河南省": "河南",
    "湖北省": "湖北",
    "湖南省": "湖南",
    "广东省": "广东",
    "广西壮族自治区": "广西",
    "海南省": "海南",
    "重庆市": "重庆",
    "四川省": "四川",
    "贵州省": "贵州",
    "云南省": "云南",
    "西藏自治区": "西藏",
    "陕西省": "陕西",
    "甘肃省": "甘肃",
    "青海省": "青海",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "台湾省": "台湾",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}
_PROVINCE_ALIASES: dict[str, str] = {}
for _full, _short in PROVINCES.items():
    for _alias in (_full, _short, _short + "省", _short + "市", _short + "自治区"):
        _PROVINCE_ALIASES.setdefault(_alias, _full)
_PROVINCE_ALIASES.update(
    {
        "香港": "香港特别行政区",
        "澳门": "澳门特别行政区",
        "广西省": "广西壮族自治区",
        "内蒙": "内蒙古自治区",
        "宁夏自治区": "宁夏回族自治区",
        "新疆自治区": "新疆维吾尔自治区",
    }
)

# Problem types the reports name; others are accepted as written.
PROBLEM_TYPES = (
    "退款问题",
    "虚假促销",
    "售后服务",
    "网络售假",
    "网络欺诈",
    "冻结商家资金",
    "退店保证金不退还",
    "商品质量",
    "退换货难",
    "发货问题",
    "货不对板",
    "客服问题",
    "订单问题",
    "信息泄露",
    "物流问题",
    "霸王条款",
    "任意仅退款",
    "恶意罚款",
    "过度维护消费者",
    "暴力催收",
    "虚假发货",
)

GRADE_RECOMMENDED = "建议下单"
GRADE_CAUTION = "谨慎下单"
GRADE_NOT_RECOMMENDED = "不建议下单"
GRADE_NOT_RATED = "不予评级"
GRADES = (GRADE_RECOMMENDED, GRADE_CAUTION, GRADE_NOT_RECOMMENDED, GRADE_NOT_RATED)


def normalize_province(value: str) -> str | None:
    """Full official name for a full or short province name; None when unrecognised."""
    return _PROVINCE_ALIASES.get(value.strip())


def normalize_gender(value: str) -> str | None:
    """男, 女 or 未知 for the accepted spellings; None when unrecognised."""
    return _GENDER_ALIASES.get(value.strip().lower())


def bracket_for_amount(amount: Decimal | float | int | None) -> str:
    """The report's amount bracket for an amount in yuan (lower bound included)."""
    if amount is None:
        return NOT_CHOSEN
    for upper, label in _BRACKET_BOUNDS:
        if amount < upper:
            return label
    return "10000元以上"


def _spelled(text: str, labels) -> str | None:
    """The label of ``labels`` that ``text`` spells loosely (``1000元-5000元``), if any."""
    compact = text.replace("元", "")
    return next((label for label in labels if compact == label.replace("元", "")), None)


def normalize_bracket(value: str, amount: Decimal | float | int | None = None) -> str | None:
    """The scheme's bracket (:data:`AMOUNT_BRACKETS`) for a bracket as written: loose
    spellings (``1000元-5000元``) read as theirs, a coarse one (``0-5万元``) as the
    bracket of ``amount`` (未选择 without one); None when unknown."""
    text = value.strip().replace(" ", "")
    if text in {"未选择金额区间", "未填写"}:
        return NOT_CHOSEN
    label = _spelled(text, AMOUNT_BRACKETS)
    if label is not None:
        return label
    if is_coarse_bracket(text):
        return bracket_for_amount(amount)
    return None


def is_coarse_bracket(value: str) -> bool:
    """Whether ``value`` is one of :data:`COARSE_BRACKETS` (read through the amount)."""
    return _spelled(value.strip().replace(" ", ""), COARSE_BRACKETS) is not None


def mask_name(complainant: str | None, province: str | None, gender: str | None) -> str:
    """The reports' masked style: 福建省黄女士 (province + surname + 女士/先生)."""
    surname = surname_of(complainant) or "匿名"
    if gender == FEMALE:
        title = "女士"
    elif gender == MALE:
        title = "先生"
    else:
        title = "用户"
    return f"{province or ''}{surname}{title}"
