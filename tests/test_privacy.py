"""The scrubber: personal data out of free text, everything else left as typed."""

from __future__ import annotations

import re

import pytest

from models.rules.privacy import (
    ADDRESS,
    BANK_CARD,
    EMAIL,
    ID_NUMBER,
    NUMBER,
    ORDER,
    PHONE,
    PLACEHOLDERS,
    PLATE,
    QQ,
    WAYBILL,
    WECHAT,
    Subject,
    luhn_ok,
    polite_form,
    scrub,
    surname_of,
)

CHEN = Subject.of("陈美玲", "女")


def _compact(text: str) -> str:
    """Digits and letters only, full-width folded: how a secret could still be read."""
    folded = text.translate({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
    return re.sub(r"[^0-9A-Za-z@]", "", folded).lower()


# (text, the secret that must go, the placeholder that must show)
HOSTILE = [
    # mobile numbers, every spelling
    ("电话13812345678", "13812345678", PHONE),
    ("电话：13812345678", "13812345678", PHONE),
    ("手机号：138 1234 5678", "13812345678", PHONE),
    ("手机号码 138-1234-5678 请回电", "13812345678", PHONE),
    ("联系电话+86 138 1234 5678", "13812345678", PHONE),
    ("+8613812345678", "13812345678", PHONE),
    ("0086-138-1234-5678", "13812345678", PHONE),
    ("我的电话是１３８１２３４５６７８", "13812345678", PHONE),
    ("Tel: 159 8765 4321", "15987654321", PHONE),
    ("phone:18600001111", "18600001111", PHONE),
    ("请打18600001111找我", "18600001111", PHONE),
    ("号码 177 0000 2222，谢谢", "17700002222", PHONE),
    ("电话为 １９９－８８８８－７７７７", "19988887777", PHONE),
    ("手机13912345678、13987654321都可以", "13987654321", PHONE),
    # landlines
    ("座机：020-87654321", "02087654321", PHONE),
    ("电话(0755)2345 6789", "075523456789", PHONE),
    ("010 1234 5678", "01012345678", PHONE),
    ("联系电话：0571-8888888", "05718888888", PHONE),
    ("打电话到 021－６２３４５６７８", "02162345678", PHONE),
    # ID numbers
    ("身份证440101199001011234", "440101199001011234", ID_NUMBER),
    ("身份证号：44010119900101123X", "44010119900101123x", ID_NUMBER),
    ("身份证号码 440101 19900101 1234", "440101199001011234", ID_NUMBER),
    ("证件号：４４０１０１１９９００１０１１２３４", "440101199001011234", ID_NUMBER),
    ("我的身份证是 11010519491231002x 请核实", "11010519491231002x", ID_NUMBER),
    ("老身份证440101900101123还在用", "440101900101123", ID_NUMBER),
    ("110105194912310021", "110105194912310021", ID_NUMBER),
    # bank cards (Luhn)
    ("卡号6222 0212 3456 7890 128", "6222021234567890128", BANK_CARD),
    ("银行卡6222021234567890128被扣款", "6222021234567890128", BANK_CARD),
    ("退到4111111111111111这张卡", "4111111111111111", BANK_CARD),
    ("卡 4111-1111-1111-1111", "4111111111111111", BANK_CARD),
    ("银行卡号：６２２２０２１２３４５６７８９０１２８", "6222021234567890128", BANK_CARD),
    # e-mail
    ("邮箱meiling@qq.com", "meiling@qq.com", EMAIL),
    ("email: chen.meiling+shop@163.com", "chen.meiling+shop@163.com", EMAIL),
    ("发到 meiling ＠ qq.com 谢谢", "meiling@qq.com", EMAIL),
    ("ＭＥＩＬＩＮＧ＠ＱＱ．ＣＯＭ", "meiling@qq.com", EMAIL),
    ("邮件 a_b-c@mail.example.org.cn", "a_b-c@mail.example.org.cn", EMAIL),
    # QQ and WeChat when labelled
    ("我的qq是12345678", "12345678", QQ),
    ("QQ号：987654321", "987654321", QQ),
    ("扣扣 55667788", "55667788", QQ),
    ("ＱＱ：１２３４５６７", "1234567", QQ),
    ("微信：wxid_abc123", "wxid_abc123", WECHAT),
    ("加我vx: meiling_88", "meiling_88", WECHAT),
    ("微信号是 Chen-Meiling", "chen-meiling", WECHAT),
    ("wx 13812345678", "13812345678", WECHAT),
    ("V信：mei1990ling", "mei1990ling", WECHAT),
    # order and waybill numbers when labelled, and long digit runs
    ("订单号DD20251228001", "dd20251228001", ORDER),
    ("订单编号：202512280001234", "202512280001234", ORDER),
    ("单号为 2025122800", "2025122800", ORDER),
    ("订单号：E2025-1228-0099", "e2025122800", ORDER),
    ("交易单号 4200001234202512281234567890", "4200001234202512281234567890", ORDER),
    ("运单号 SF1234567890123", "sf1234567890123", WAYBILL),
    ("快递单号：YT9876543210", "yt9876543210", WAYBILL),
    ("物流单号 JD0012345678901", "jd0012345678901", WAYBILL),
    ("这个单子202512281234567号一直没发", "202512281234567", NUMBER),
    ("流水 88000012345678 对不上", "88000012345678", NUMBER),
    # addresses when labelled
    ("收货地址：广东省广州市天河区体育西路100号3栋501，麻烦核实", "体育西路100号3栋501", ADDRESS),
    ("家住北京市朝阳区望京街道8号院2单元", "望京街道8号院2单元", ADDRESS),
    # the spellings of issue 21: dots, brackets, plates, 加微, (at), 。
    ("138.0013.8001", "13800138001", PHONE),
    ("电话(139)0013-8002", "13900138002", PHONE),
    ("(138)12345678", "13812345678", PHONE),
    ("车牌粤B12345", "b12345", PLATE),
    ("粤B·D12345停在小区门口", "bd12345", PLATE),
    ("加微：wangjg_1988", "wangjg_1988", WECHAT),
    ("发到x(at)qq.com", "xqq", EMAIL),
    ("邮箱x@qq。com", "x@qq", EMAIL),
    ("身份证440101.19900101.1234", "440101199001011234", ID_NUMBER),
    ("电话：138\n0013\n8001", "13800138001", PHONE),
    # several at once
    (
        "我是陈美玲，电话13812345678，身份证440101199001011234，订单号DD20251228001，邮箱meiling@qq.com",
        "13812345678",
        PHONE,
    ),
    (
        "我是陈美玲，电话13812345678，身份证440101199001011234，订单号DD20251228001，邮箱meiling@qq.com",
        "440101199001011234",
        ID_NUMBER,
    ),
    (
        "我是陈美玲，电话13812345678，身份证440101199001011234，订单号DD20251228001，邮箱meiling@qq.com",
        "meiling@qq.com",
        EMAIL,
    ),
    ("微信 meiling_88，QQ 12345678，手机 13812345678", "meiling_88", WECHAT),
    ("微信 meiling_88，QQ 12345678，手机 13812345678", "12345678", QQ),
]

NAMES = [
    ("我是陈美玲，要求退款", "我是陈女士，要求退款"),
    ("陈美玲女士向平台投诉", "陈女士向平台投诉"),
    ("签名：陈 美 玲", "签名：陈女士"),
    ("美玲在5月1日下单", "陈女士在5月1日下单"),
    ("本人陈美玲（手机13812345678）", "本人陈女士（手机[电话已隐去]）"),
]

# Sentences from the reports' typical cases (names there are already masked): they must
# come back exactly as typed — dates, amounts, times, hotlines and names of shops included.
SURVIVE = [
    "12月12日，福建省黄女士向电诉宝投诉称自己于2023年11月29号在小红书小小小兰购买的防震器12月1号快递放家门口，本人外出广州回家12月10号才拿到商品并试用，噪音实在太大，要求退货退款，商家已超过7天为由不予退货强买强卖。",
    "6月8日，广东省郑女士向“电诉宝”投诉称，其于2023年5月29号在小红书上买了4只牛油果，共31.9元，圆通快递于6.2号签收商品。",
    "郑女士发给商家，商家说退一个果的钱8元。",
    "5月14日，湖南省陈女士向“电诉宝”投诉称，其于2023年4月29日在小红书平台购买短袖T恤一件，商家虚假物流导致陈女士无法取件，等过了拒收时间才提供另一个单号，导致陈女士只能联系快递寄回。",
    "3月4日陕西省的徐女士向“电诉宝”投诉称，她于2月26日在小红书平台推送UQ限时活动的店购买商品。",
    "12月12日，四川省刘先生向“电诉宝”投诉称其于2019年5月7日及2019年9月27日入驻萌推，开设店铺名称为（羞羞生活馆）（羞羞成人用品专营店），并支付店铺保证金10000元。",
    "刘先生经营的店铺（羞羞成人用品专营店）于2022年10月6日已完成退店材料审核，（羞羞生活馆）于2022年11月21日已完成退店材料审核。",
    "截止至今刘先生仍未收到萌推退还的保证金10000元及恶意拖欠的货款20170.44元。",
    "5 月 26 日，福建省林先生向“电诉宝”投诉称，其于 2023 年 5 月 19 日 15 点 44 分在萌推上充值话费 200 元却只收到 46.1 元，过了 7 天都没收到话费。",
    "林先生在萌推平台投诉，客服推三阻四，要么给一张流量卡，要么给 5 元商品，1.5 元商品，就是不退款，投诉了 3 天都没解决问题。",
    "林先生的诉求是退还 46.1 元，可以退还 N 倍是最好。",
    "林先生称，萌推平台很多人投诉，问题都还没解决，中国 14 亿人，涉及金额超亿元，后台可能很硬，多人投诉，时间跨度长，不好解决。",
    "4 月 10 日，浙江省胡先生向“电诉宝”投诉称，其于 2023 年 4 月 9 日付 56.51 元充 200 元话费，下载 APP 后发现并非话费，实际上是补贴。",
    "2 月 14 日，广东省李女士向“电诉宝”投诉称她于 2023 年 2 月 9 日根据抖音广告购买了萌推的话费充值活动礼包，承诺购买后一次到帐 100 元话费，实际未到帐。",
    "10月28日，浙江省的米女士向“电诉宝”投诉称其于十月十四日凌晨在云集店铺参与国庆签到送商品活动，连续签到7天，付一元领取洗衣液；",
    "米女士连续签到14天，于第14天的凌晨十二点零几分签到领取，结果显示商品已抢完，客服当时也下班了。",
    "6 月 15 日，湖南省李女士向“电诉宝”投诉称，其于 2023 年 5 月 16 日在云集平台购买防晒霜，准备旅游时使用，于是提前购买。",
    "对此，云集回复称：您好，关于您反馈的防晒霜相关问题，我们会尽快安排专员联系您核实处理，烦请您保持电话畅通，感谢您的配合，祝您生活愉快。",
    "1月8日，山东省宫女士向“电诉宝”投诉称，其于2022年12月3号在爱库存 app 迪雀店铺购买四袋汤圆，价值39.9元，许久未发货，直至12月31号接到顺丰电话说有快递需要去取，因为在老家所以让放在代理点，并自动签收。",
    "1月13日，广东省刘女士向“电诉宝”投诉称，其在2022-12-09下单电热水器：海尔 Haier 海尔扁桶电热水器 60升双胆变频，订单金额：2679元。",
    "商家于2022-12-12操作发货，但是期间物流一直未送达，刘女士急用商品等不了，已自行线下购买。",
    "刘女士在2022-12-22跟快递员那边沟通好了要求拒收，同时联系平台反馈，但是商家至今拖着订单迟迟不处理退款问题，刘女士希望商家尽快关闭订单。",
    "2月12日，上海市施女士向“电诉宝”投诉称，其于2023年2月11日在一直娱APP上下了两单，施女士找软件客服说要退款，且店铺客服一直没回复，软件客服直接拒绝退款不处理，施女士认为这侵犯了她的个人权益。",
    "10月5日，河南省刘先生向“电诉宝”投诉称，其于2023年9月30日在全民严选购买一箱酒，出现商家推诿拒不退款情况。",
    "用户投诉“1688”投诉金额分布于0-5万元、100-500元、10000元以上、0-100元、500-1000元、1000-5000元区间。",
    "卢先生表示这个订单，我们卖家如实按照客户购买的产品进行发货，而且该产品包裹已经到达目的国俄罗斯进行派送，但是物流在多次派送失败，客户也没有签收成功，导致包裹被退回物流仓库，客户提起纠纷后直接判责给我们卖家，由我们卖家退还1340.7元。",
    "林先生表示以暂冻名义显示36500天，100年进行永久封禁，存在不合理现象。",
    "9月2日，广东省凌先生向“电诉宝”投诉称自己是1688商家，在1688平台上签订工业行家选协议为店铺选中的商品打标并每笔订单收取服务费，后该协议未告知凌先生自动升级将他未选中参加该协议的商品打标，该协议签订不满90天不可退出。",
    "6月15日，河北省徐先生向电诉宝投诉称其淘宝小店在大约五天前，通过1件代发的方式采购了一件商品，采购金额约为114元。",
    "此外，他还提到，他的售后待处理订单有10单，由于账号被随意冻结，他估计因此产生的利益损失约为4999元。",
    "7月5日，四川省冯女士向“电诉宝”投诉称自己于6月19日在批批网上的一个名为“创创家童装批发站”的店铺购买了一双鞋子，6月23日收到了这批货物。",
    "10月12日，广东省罗女士向“电诉宝”投诉称其于2020年2月在分期乐平台上贷款了6000元，并选择分36期偿还。",
    "直到2024年9月25日凌晨两点十五分至十六分，罗女士的中国银行卡被划扣了八笔金额，总计9948.64元，使得她总共偿还的金额达到了12602.84元。",
    "10月21日，浙江省的暨先生向“电诉宝”投诉称其于2024年10月21日14点13分20秒，暨先生通过支付宝向好友柯转账8000元。",
    "3月14日，广东省的邝先生向“电诉宝”投诉称其于2019年在来分期平台分期借款了一千余元。",
    "如有疑问请拨打12315或平台客服电话400-123-4567，也可拨打95188。",
    "金额1000000000元的项目，分3期付款，每期33.33%。",
    # issue 21: a label followed by something that is not personal data
    "平台以地址不符为由拒绝退款",
    "电话 2023-05-19 打过三次",
    "地址错误，电话沟通无果，电话联系不上客服，微信支付的¥1,299.00至今未退",
    "2023.05.13-2023.06.19期间下单，2023/5/19 13:45付款，72小时内发货",
]


def test_enough_examples():
    assert len(HOSTILE) + len(NAMES) >= 60 and len(SURVIVE) >= 30


@pytest.mark.parametrize(("text", "secret", "placeholder"), HOSTILE)
def test_personal_data_is_removed(text, secret, placeholder):
    shown = scrub(text, CHEN)
    assert secret not in _compact(shown), shown
    assert placeholder in shown, shown
    assert "陈美玲" not in shown


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_the_complainants_name_reads_as_in_the_reports(text, expected):
    assert scrub(text, CHEN) == expected


@pytest.mark.parametrize("text", SURVIVE)
def test_report_texts_survive_unchanged(text):
    assert scrub(text, Subject.of("黄丽华", "女", phone="13900001111")) == text


def test_name_forms():
    assert scrub("我叫王强，王强要求退款", Subject.of("王强", "男")) == "我叫王先生，王先生要求退款"
    # a one-character given name alone is too common a character to replace
    assert scrub("强烈要求退款", Subject.of("王强", "男")) == "强烈要求退款"
    assert scrub("欧阳娜娜和娜娜", Subject.of("欧阳娜娜", "女")) == "欧阳女士和欧阳女士"
    assert scrub("张三丰反映", Subject.of("张三丰", None)) == "张某反映"
    assert scrub("Signed, John Smith", Subject.of("John Smith", "男")) == "Signed, [姓名已隐去]"
    # a complainant recorded in the reports' style is left alone
    assert scrub("陈女士称", Subject.of("陈女士", "女")) == "陈女士称"
    assert (
        surname_of("司马光") == "司马" and surname_of("马光") == "马" and surname_of("Li") is None
    )
    assert polite_form("陈美玲", "女") == "陈女士" and polite_form("x", "男") == "[姓名已隐去]"


def test_the_complainants_own_contact_values_go_wherever_they_appear():
    subject = Subject.of("陈美玲", "女", order_number="AB12CD", email="x.y@z.cn")
    assert scrub("单子 AB12CD 没到，邮箱 x.y@z.cn", subject) == f"单子 {ORDER} 没到，邮箱 {EMAIL}"


def test_placeholders_are_stable_under_a_second_pass():
    once = scrub(HOSTILE[-3][0], CHEN)
    assert scrub(once, CHEN) == once
    assert all(p == scrub(p) for p in PLACEHOLDERS)


def test_luhn():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_none_and_empty_pass_through():
    assert scrub(None) is None and scrub("") == ""
