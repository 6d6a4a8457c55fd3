"""The demo's policy library (DESIGN 9, issue 5 item 7): about thirty national, provincial,
city and county policies — funds, tax, talent, land, finance — with eligibility trees over
the demo's industries, units, qualifications and yearly figures, so that each of the 98
enterprises' policy lists reads naturally.

Years in the trees are relative to the demo year: ``ly`` is last year (the latest figures),
``ly - 1`` the year before. Industry references are names of ``data`` (resolved to codes by
the loader, ``zhaoyin.demo.policies``). ``status`` is what the loader leaves the policy in.

Citations (issue 15 item 9): a real document number only on the real document's content (the
national tax notices, 财建〔2021〕2号, the income-tax law); every other number is plainly
fictional — ``示例`` before the serial (淮府〔2024〕示例21号) — so no real number is attached to
content that is not that document's. Each policy is kept (``org_unit``) by the department that
runs it: tax by the 税务局, industry funds by the 经信局, talent by the 人才科, a county's or a
park's own by that county or park.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zhaoyin.demo import data

Tree = dict[str, Any]
#: Builds a tree from the demo year and the industry name → code map.
TreeBuilder = Callable[[int, dict[str, str]], Tree]

CITY_GOV = "淮南市人民政府"
CITY_OFFICE = "淮南市人民政府办公室"
JXJ = "淮南市经济和信息化局"
KJJ = "淮南市科学技术局"
RSJ = "淮南市人力资源和社会保障局"
TALENT = "中共淮南市委人才工作领导小组"
PHONE = "0554-66{:05d}"

EMERGING = (data.IT, data.MAT, data.NEV, data.EQP, data.HLT, data.FOOD)
PARKS = ("park-gxq", "park-jkq", "park-mhg", "park-xinqiao", "park-maoji")


@dataclass(frozen=True)
class PolicySpec:
    """One demo policy: the service's input (dates as year offsets) and its final status."""

    title: str
    issuer: str
    level: str
    doc_no: str
    category: str
    benefits: str
    tree: TreeBuilder | None
    #: (years from the demo year, month, day); ``to`` None: open-ended.
    valid_from: tuple[int, int, int] = (-1, 1, 1)
    valid_to: tuple[int, int, int] | None = (2, 12, 31)
    delivery: str = "application"
    summary: str = ""
    max_amount_wan: str | None = None
    guide: str = ""
    deadline: str = ""
    office: str = ""
    org_unit: str = data.CITY_CODE
    status: str = "in_force"
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _fig(name: str, year: int, op: str, value: float | int) -> Tree:
    return {"figure": name, "year": year, "op": op, "value": value}


def _ratio(num: str, den: str, year: int, op: str, value: float) -> Tree:
    return {"ratio": [num, den], "year": year, "op": op, "value": value}


def _field(name: str, op: str, value: Any) -> Tree:
    return {"field": name, "op": op, "value": value}


def _q(name: str) -> Tree:
    return {"qualification": name}


def _industries(codes: dict[str, str], *names: str) -> Tree:
    return _field("industry", "in", [codes[n] for n in names])


def _rd_tiers(y: int, codes: dict[str, str]) -> Tree:
    """高新技术企业认定的研发费用占比: ≤5000万元 5%, 5000万–2亿元 4%, >2亿元 3% (所有条件之一)."""
    ly = y - 1
    return {
        "all": [
            {
                "any": [
                    {"all": [_fig("revenue_wan", ly, "lte", 5000), _ratio("rd_wan", "revenue_wan", ly, "gte", 0.05)]},
                    {
                        "all": [
                            _fig("revenue_wan", ly, "gte", 5000),
                            _fig("revenue_wan", ly, "lte", 20000),
                            _ratio("rd_wan", "revenue_wan", ly, "gte", 0.04),
                        ]
                    },
                    {"all": [_fig("revenue_wan", ly, "gte", 20000), _ratio("rd_wan", "revenue_wan", ly, "gte", 0.03)]},
                ]
            },
            _field("age_years", "gte", 1),
            _field("emerging", "eq", True),
        ]
    }


def _mu_grade_a(y: int, codes: dict[str, str]) -> Tree:
    """亩均效益综合评价A类企业 (issue 14): the grade the last evaluation published — last year's
    or later, so a grade of long ago no longer counts."""
    return {"all": [_field("mu_grade", "eq", "A"), _field("mu_grade_year", "gte", y - 1)]}


def _talent_employer(y: int, codes: dict[str, str]) -> Tree:
    """用人单位: 高新技术企业, 或新兴产业的规上企业."""
    return {"any": [_q("高新技术企业"), {"all": [_field("size_class", "eq", "above"), _field("emerging", "eq", True)]}]}


POLICIES: list[PolicySpec] = [
    # ---- national ------------------------------------------------------------------------
    PolicySpec(
        # The rate is the law's own (企业所得税法 第二十八条), so the law is what is cited.
        "高新技术企业减按15%税率征收企业所得税", "全国人民代表大会", "national",
        "《中华人民共和国企业所得税法》第二十八条", "tax",
        "经认定的高新技术企业，减按15%的税率征收企业所得税。",
        lambda y, c: {"all": [_q("高新技术企业")]},
        valid_from=(-3, 1, 1), valid_to=None, delivery="no_application",
        summary="高新技术企业所得税优惠，系统自动享受。", org_unit="dept-swj", office="淮南市税务局所得税科",
    ),
    PolicySpec(
        "企业研发费用税前加计扣除", "财政部 税务总局", "national", "财政部 税务总局公告2023年第7号", "tax",
        "企业开展研发活动中实际发生的研发费用，未形成无形资产计入当期损益的，在按规定据实扣除的基础上，"
        "再按照实际发生额的100%在税前加计扣除。",
        lambda y, c: {"all": [_fig("rd_wan", y - 1, "gte", 50)]},
        valid_from=(-3, 1, 1), valid_to=None, delivery="quick_application",
        summary="上年度研发费用50万元以上的企业，申报时一并享受。", org_unit="dept-swj", office="淮南市税务局",
    ),
    PolicySpec(
        "科技型中小企业研发费用加计扣除", "财政部 税务总局 科技部", "national",
        "财政部 税务总局 科技部公告2022年第16号", "tax",
        "科技型中小企业研发费用按100%加计扣除，形成无形资产的按200%摊销。",
        lambda y, c: {"all": [_q("科技型中小企业"), _fig("rd_wan", y - 1, "gte", 1)]},
        valid_from=(-3, 1, 1), valid_to=None, delivery="no_application", org_unit="dept-swj", office="淮南市科技局",
    ),
    PolicySpec(
        "小微企业\u201c六税两费\u201d减半征收", "财政部 税务总局", "national", "财政部 税务总局公告2023年第12号", "tax",
        "对小型微利企业减半征收资源税、城市维护建设税、房产税、城镇土地使用税、印花税、耕地占用税和教育费附加、"
        "地方教育附加。",
        lambda y, c: {"all": [_field("size_class", "eq", "below"), _fig("employees", y - 1, "lte", 300)]},
        valid_from=(-2, 1, 1), valid_to=(1, 12, 31), delivery="no_application", org_unit="dept-swj",
        office="淮南市税务局",
    ),
    PolicySpec(
        "专精特新\u201c小巨人\u201d企业中央财政奖补", "财政部 工业和信息化部", "national", "财建〔2021〕2号", "funds",
        "对国家级专精特新\u201c小巨人\u201d企业给予中央财政资金支持，用于技术创新、上下游协作配套等。",
        lambda y, c: {"all": [_q("专精特新小巨人")]},
        max_amount_wan="600", org_unit="dept-jxj", office="淮南市经信局中小企业科",
    ),
    # ---- provincial ----------------------------------------------------------------------
    PolicySpec(
        "安徽省专精特新中小企业奖补", "安徽省经济和信息化厅", "provincial", "皖经信中小企函〔2023〕示例112号", "funds",
        "对新认定的省级专精特新中小企业给予一次性奖补。",
        lambda y, c: {"all": [_q("专精特新"), _fig("revenue_wan", y - 1, "gte", 1000)]},
        max_amount_wan="50", org_unit="dept-jxj", office="淮南市经信局中小企业科",
    ),
    PolicySpec(
        "安徽省企业技术中心奖励", "安徽省经济和信息化厅", "provincial", "皖经信科技〔2022〕示例78号", "funds",
        "对新认定的省级企业技术中心给予一次性奖励。",
        lambda y, c: {"all": [_q("省级企业技术中心")]},
        max_amount_wan="100", org_unit="dept-jxj", office="淮南市经信局技术创新科",
    ),
    PolicySpec(
        "安徽省首台（套）重大技术装备保险补偿", "安徽省经济和信息化厅", "provincial",
        "皖经信装备〔2023〕示例15号", "funds",
        "对投保首台（套）重大技术装备综合险的制造企业，按保费的80%给予补偿。",
        lambda y, c: {"all": [_industries(c, data.EQP, data.NEV), _field("size_class", "eq", "above")]},
        max_amount_wan="500", org_unit="dept-jxj", office="淮南市经信局装备科",
    ),
    PolicySpec(
        "失业保险稳岗返还", "安徽省人力资源和社会保障厅", "provincial", "皖人社秘〔2024〕示例40号", "talent",
        "对不裁员或少裁员的参保企业，按上年度实际缴纳失业保险费的60%（中小微企业）或30%（大型企业）返还。",
        lambda y, c: {"all": [_fig("employees", y - 1, "gte", 10)]},
        delivery="no_application", org_unit="dept-rsj", office="淮南市人社局失业保险科",
    ),
    PolicySpec(
        "高新技术企业培育库入库奖励", "安徽省科学技术厅", "provincial", "皖科高〔2024〕示例5号", "funds",
        "研发投入占营业收入比例达到认定要求（5000万元以下5%，5000万至2亿元4%，2亿元以上3%）的新兴产业企业，"
        "入库培育并给予奖励。",
        _rd_tiers, max_amount_wan="20", org_unit="dept-kjj", office="淮南市科技局高新科",
    ),
    PolicySpec(
        "规上工业企业能耗强度下降奖励", "安徽省发展和改革委员会", "provincial", "皖发改环资〔2023〕示例301号", "funds",
        "单位产值综合能耗低于0.05吨标准煤/万元的规上工业企业，给予节能奖励。",
        lambda y, c: {
            "all": [
                _field("size_class", "eq", "above"),
                _ratio("energy_tce", "output_wan", y - 1, "lte", 0.05),
            ]
        },
        max_amount_wan="30", org_unit="dept-fgw", office="淮南市发改委环资科",
    ),
    # ---- city: industry and funds ----------------------------------------------------------
    PolicySpec(
        "规上工业企业首次入统奖励", CITY_GOV, "city", "淮府〔2024〕示例21号", "funds",
        "上年度营业收入首次突破2000万元、纳入规模以上工业统计的企业，奖励10万元。",
        lambda y, c: {"all": [_fig("revenue_wan", y - 1, "gte", 2000), _fig("revenue_wan", y - 2, "lte", 2000)]},
        max_amount_wan="10", delivery="no_application", org_unit="dept-jxj", office="淮南市经信局运行科",
    ),
    PolicySpec(
        "专精特新企业梯度培育奖励", JXJ, "city", "淮经信〔2024〕示例36号", "funds",
        "对新认定的国家级专精特新\u201c小巨人\u201d企业奖励100万元，省级专精特新企业奖励30万元。",
        lambda y, c: {"any": [_q("专精特新小巨人"), _q("专精特新")]},
        max_amount_wan="100", org_unit="dept-jxj", office="淮南市经信局中小企业科",
    ),
    PolicySpec(
        "工业企业技术改造设备投资补助", CITY_GOV, "city", "淮府〔2024〕示例22号", "funds",
        "新兴产业规上工业企业技术改造项目，按设备投资额的10%给予补助。",
        lambda y, c: {"all": [_field("size_class", "eq", "above"), _industries(c, *EMERGING)]},
        max_amount_wan="300", org_unit="dept-jxj", office="淮南市经信局投资科",
    ),
    PolicySpec(
        "亩均效益A类企业奖励", CITY_GOV, "city", "淮府办〔2024〕示例9号", "land",
        "亩均效益综合评价为A类的企业，优先保障用地，城镇土地使用税按最高标准减免。",
        _mu_grade_a, delivery="no_application", org_unit="dept-jxj", office="淮南市自然资源和规划局",
    ),
    PolicySpec(
        "工业用地\u201c标准地\u201d出让优惠", "淮南市自然资源和规划局", "city", "淮自然资规〔2023〕示例12号", "land",
        "新兴产业规上企业扩产用地，按\u201c标准地\u201d出让，土地出让金可分期缴纳。",
        lambda y, c: {"all": [_field("emerging", "eq", True), _field("size_class", "eq", "above"),
                              _fig("output_wan", y - 1, "gte", 10000)]},
        org_unit="dept-zrzy", office="淮南市自然资源和规划局用途管制科",
    ),
    PolicySpec(
        "新一代信息技术产业发展扶持", JXJ, "city", "淮经信〔2024〕示例41号", "funds",
        "新一代信息技术企业年营业收入首次突破5000万元、1亿元的，分别奖励20万元、50万元。",
        lambda y, c: {"all": [_industries(c, data.IT), _fig("revenue_wan", y - 1, "gte", 5000)]},
        max_amount_wan="50", org_unit="dept-jxj", office="淮南市经信局电子信息科",
    ),
    PolicySpec(
        "生命健康产业医疗器械注册奖励", "淮南市发展和改革委员会", "city", "淮发改产业〔2024〕示例18号", "funds",
        "生命健康企业取得第二类、第三类医疗器械注册证的，每个分别奖励20万元、50万元。",
        lambda y, c: {"all": [_industries(c, data.HLT)]},
        max_amount_wan="200", org_unit="dept-fgw", office="淮南市发改委产业科",
    ),
    PolicySpec(
        "绿色食品产业链龙头企业奖励", "淮南市农业农村局", "city", "淮农〔2024〕示例27号", "funds",
        "绿色食品规上企业年营业收入首次突破1亿元的，奖励50万元。",
        lambda y, c: {"all": [_industries(c, data.FOOD), _fig("revenue_wan", y - 1, "gte", 10000)]},
        max_amount_wan="50", office="淮南市农业农村局产业科",
    ),
    PolicySpec(
        "大用户电价优惠（直购电）", "国网淮南供电公司", "city", "淮电营销〔2024〕示例3号", "other",
        "年用电量1000万千瓦时以上的工业企业可参加电力直接交易，降低用电成本。",
        lambda y, c: {"all": [_fig("electricity_kwh", y - 1, "gte", 10_000_000)]},
        delivery="quick_application", org_unit="dept-gdgs", office="供电公司营销部",
    ),
    # ---- city: finance -------------------------------------------------------------------
    PolicySpec(
        "\u201c税融通\u201d小微企业信用贷款", "淮南市地方金融监督管理局", "city", "淮金〔2024〕示例6号", "finance",
        "按时纳税的小微企业凭纳税信用可获得最高500万元信用贷款，市财政给予50%贴息。",
        lambda y, c: {"all": [_field("size_class", "eq", "below"), _fig("tax_wan", y - 1, "gte", 10)]},
        max_amount_wan="500", delivery="quick_application", org_unit="dept-jrjg", office="淮南市地方金融监督管理局",
    ),
    PolicySpec(
        "科技型企业\u201c科技贷\u201d风险补偿", KJJ, "city", "淮科〔2023〕示例44号", "finance",
        "对合作银行向高新技术企业、科技型中小企业发放的贷款，按损失额的40%给予风险补偿。",
        lambda y, c: {"any": [_q("高新技术企业"), _q("科技型中小企业")]},
        max_amount_wan="1000", org_unit="dept-kjj", office="淮南市科技局",
    ),
    PolicySpec(
        "企业上市挂牌奖励", CITY_OFFICE, "city", "淮府办〔2023〕示例31号", "finance",
        "企业在沪深北交易所上市的分阶段奖励最高500万元，在省区域股权市场挂牌的奖励20万元。",
        lambda y, c: {"all": [_field("size_class", "eq", "above"), _fig("revenue_wan", y - 1, "gte", 30000),
                              _field("age_years", "gte", 3)]},
        max_amount_wan="500", org_unit="dept-jrjg", office="淮南市地方金融监督管理局资本市场科",
    ),
    # ---- talent: the city's ten talent policies (淮南人才新政) ----------------------------------
    PolicySpec(
        "博士研究生生活补贴", TALENT, "city", "淮人才〔2024〕示例1号", "talent",
        "企业新引进全日制博士研究生，每人每月发放生活补贴3000元，连续发放3年。",
        _talent_employer, max_amount_wan="10.8", org_unit="dept-rck", office="市委组织部人才科",
        deadline="每年3月、9月集中申报",
    ),
    PolicySpec(
        "硕士研究生生活补贴", TALENT, "city", "淮人才〔2024〕示例2号", "talent",
        "企业新引进全日制硕士研究生，每人每月发放生活补贴1500元，连续发放3年。",
        _talent_employer, max_amount_wan="5.4", org_unit="dept-rck", office="市委组织部人才科",
        deadline="每年3月、9月集中申报",
    ),
    PolicySpec(
        "高层次人才安家补贴", TALENT, "city", "淮人才〔2024〕示例3号", "talent",
        "新兴产业规上企业引进的A、B、C类高层次人才，分别给予100万元、50万元、30万元安家补贴。",
        lambda y, c: {"all": [_field("emerging", "eq", True), _field("size_class", "eq", "above")]},
        max_amount_wan="100", org_unit="dept-rck", office="市委组织部人才科",
    ),
    PolicySpec(
        "人才公寓租金减免", TALENT, "city", "淮人才〔2024〕示例4号", "talent",
        "园区企业引进的人才可申请入住人才公寓，前两年免租金、第三年租金减半。",
        lambda y, c: {"all": [_field("org_unit", "in", list(PARKS))]},
        org_unit="dept-rck", office="市住建局住房保障科",
    ),
    PolicySpec(
        "柔性引才补贴", TALENT, "city", "淮人才〔2024〕示例5号", "talent",
        "专精特新企业、高新技术企业以项目合作、技术顾问等方式柔性引进人才的，按实际支付报酬的50%给予补贴。",
        lambda y, c: {"any": [_q("专精特新"), _q("专精特新小巨人"), _q("高新技术企业")]},
        max_amount_wan="30", org_unit="dept-rck", office="市委组织部人才科",
    ),
    PolicySpec(
        "引才荐才奖励", TALENT, "city", "淮人才〔2024〕示例6号", "talent",
        "企业通过驻长三角人才工作站、G60科创走廊人才飞地引进人才的，按每人1万元给予引才奖励。",
        lambda y, c: {"all": [_fig("employees", y - 1, "gte", 300)]},
        max_amount_wan="20", org_unit="dept-rck", office="驻长三角人才工作站",
    ),
    PolicySpec(
        "技能人才培训补贴", RSJ, "city", "淮人社〔2024〕示例19号", "talent",
        "企业组织职工参加职业技能培训并取得证书的，按每人500至3000元给予培训补贴。",
        lambda y, c: {"all": [_field("size_class", "eq", "above"), _fig("employees", y - 1, "gte", 200)]},
        max_amount_wan="50", delivery="quick_application", org_unit="dept-rsj", office="淮南市人社局职业能力建设科",
    ),
    PolicySpec(
        "高校毕业生就业见习补贴", RSJ, "city", "淮人社〔2024〕示例20号", "talent",
        "新兴产业企业（从业人员500人以上）作为就业见习基地，吸纳离校2年内未就业高校毕业生参加就业见习的，按当地最低工资标准的70%给予见习补贴。",
        lambda y, c: {"all": [_fig("employees", y - 1, "gte", 500), _field("emerging", "eq", True)]},
        org_unit="dept-rsj", office="淮南市人社局就业科",
    ),
    PolicySpec(
        "人才飞地研发中心补贴", TALENT, "city", "淮人才〔2024〕示例8号", "talent",
        "新兴产业企业在G60科创走廊人才飞地设立研发中心的，给予3年房租全额补贴。",
        lambda y, c: {"all": [_industries(c, data.IT, data.MAT, data.HLT, data.EQP)]},
        max_amount_wan="60", org_unit="dept-rck", office="G60科创走廊人才飞地",
    ),
    PolicySpec(
        "博士后科研工作站建站资助", TALENT, "city", "淮人才〔2024〕示例9号", "talent",
        "新设立国家级、省级博士后科研工作站的企业，分别给予50万元、30万元建站资助。",
        lambda y, c: {
            "any": [_q("省级企业技术中心"), {"all": [_q("高新技术企业"), _fig("rd_wan", y - 1, "gte", 500)]}]
        },
        max_amount_wan="50", org_unit="dept-rsj", office="淮南市人社局专业技术人员管理科",
    ),
    PolicySpec(
        "产业工人住房租赁补贴", TALENT, "city", "淮人才〔2024〕示例10号", "talent",
        "规上工业企业新招用的一线产业工人，每人每月给予300元租房补贴，最长2年。",
        lambda y, c: {"all": [_field("size_class", "eq", "above"), _fig("employees", y - 1, "gte", 100)]},
        max_amount_wan="0.72", org_unit="dept-rck", office="市住建局住房保障科",
    ),
    # ---- county and park -------------------------------------------------------------------
    PolicySpec(
        "新桥国际产业园招商引资优惠", "寿县人民政府", "county", "寿政〔2024〕示例15号", "funds",
        "入驻新桥国际产业园的家电配套、汽车零部件、电子信息、高端制造企业，按设备投资的8%给予补助，"
        "前三年按地方留成税收的50%给予扶持。",
        lambda y, c: {"all": [_field("org_unit", "in", ["park-xinqiao"]),
                              _industries(c, data.APPL, data.NEV, data.IT, data.EQP, data.HLT)]},
        max_amount_wan="2000", org_unit="340422", office="新桥国际产业园招商局",
    ),
    PolicySpec(
        "高新区科技企业孵化房租补贴", "淮南高新区管委会", "county", "淮高管〔2024〕示例7号", "land",
        "成立10年以内的高新区科技企业租用孵化器用房的，前两年房租全免，第三年减半。",
        lambda y, c: {"all": [_field("org_unit", "eq", "park-gxq"), _field("age_years", "lte", 10)]},
        org_unit="park-gxq", office="淮南高新区科技局",
    ),
    # ---- history: an expired policy, a withdrawn one, drafts --------------------------------
    PolicySpec(
        "规上工业企业首次入统奖励（旧版）", CITY_GOV, "city", "淮府〔2021〕示例30号", "funds",
        "上年度首次纳入规模以上工业统计的企业，奖励5万元。（已由淮府〔2024〕示例21号替代）",
        lambda y, c: {"all": [_field("size_class", "eq", "above")]},
        valid_from=(-4, 1, 1), valid_to=(-2, 12, 31), max_amount_wan="5", org_unit="dept-jxj", status="expired",
    ),
    PolicySpec(
        "小微企业贷款贴息（2022年度）", "淮南市财政局", "city", "淮财金〔2022〕示例11号", "finance",
        "对小微企业2022年度新增贷款按LPR的30%给予贴息。",
        lambda y, c: {"all": [_field("size_class", "eq", "below")]},
        valid_from=(-3, 1, 1), valid_to=(-2, 12, 31), org_unit="dept-czj", status="expired",
    ),
    PolicySpec(
        "煤化工企业产能置换补助", "淮南市发展和改革委员会", "city", "淮发改能源〔2023〕示例9号", "funds",
        "煤化工企业实施产能置换的，按置换产能给予补助。",
        lambda y, c: {"all": [_industries(c, data.CHEM, data.COAL)]},
        org_unit="dept-fgw", status="withdrawn", reason="上级产能置换政策调整，本政策停止执行",
    ),
    PolicySpec(
        "数字化转型\u201c智改数转\u201d补助（征求意见稿）", JXJ, "city", "", "funds",
        "对实施智能化改造、数字化转型的规上工业企业，按软硬件投资的15%给予补助。",
        lambda y, c: {"all": [_field("size_class", "eq", "above"), _fig("revenue_wan", y - 1, "gte", 5000)]},
        valid_from=(0, 12, 1), org_unit="dept-jxj", status="draft",
    ),
    PolicySpec(
        "新材料首批次应用保险补偿（待完善条件）", JXJ, "city", "", "funds",
        "对新材料首批次应用保险给予保费补偿（适用条件待补充）。",
        None, valid_from=(0, 12, 1), org_unit="dept-jxj", status="draft",
    ),
]
