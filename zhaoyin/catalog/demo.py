"""The demo's project catalog: 61 reserved projects of Huainan and a published edition.

Called by ``zhaoyin demo`` after the org tree and the industry dictionary exist. Idempotent:
items are matched by name, the edition by title; everything is written through the services
as the system (``acting_user=None``) on the CLI channel.
"""

from __future__ import annotations

from decimal import Decimal

from zhaoyin.accounts.models import OrgUnit, OrgUnitKind
from zhaoyin.catalog import services
from zhaoyin.catalog.inputs import CatalogItemInput, EditionCreateInput, EditionItemsInput
from zhaoyin.catalog.models import CatalogEdition, CatalogItem, EditionStatus
from zhaoyin.core.context import acting
from zhaoyin.enterprises.models import Industry

GXQ, JKQ, MHG, XQ, MJ = "park-gxq", "park-jkq", "park-mhg", "park-xinqiao", "park-maoji"
PARK_CONTACT = {
    GXQ: ("淮南高新区招商局", "王磊", "0554-6661201"),
    JKQ: ("淮南经开区投资促进局", "李娜", "0554-6642318"),
    MHG: ("现代煤化工园区招商服务中心", "陈刚", "0554-5523106"),
    XQ: ("寿县新桥国际产业园招商局", "赵敏", "0554-4129087"),
    MJ: ("毛集实验区投资促进中心", "孙涛", "0554-8451276"),
}

#: (project name, industry code, park code, investment 万元, land 亩, cooperation mode, what is built)
ITEMS: list[tuple[str, str, str, int, int, str, str]] = [
    (
        "新型显示模组及触控面板生产项目",
        "it",
        GXQ,
        120000,
        200,
        "joint",
        "新建新型显示模组、触控面板生产线8条及洁净厂房",
    ),
    ("集成电路封装测试项目", "it", GXQ, 150000, 180, "sole", "建设先进封装测试产线，年封测芯片30亿颗"),
    ("大数据中心及算力服务平台项目", "it", GXQ, 200000, 150, "ppp", "建设5000个标准机柜的数据中心及智算平台"),
    ("智能传感器产业园项目", "it", JKQ, 60000, 120, "joint", "建设MEMS传感器研发中心及生产厂房"),
    ("工业互联网标识解析二级节点项目", "it", GXQ, 15000, 20, "ppp", "建设面向煤炭、装备行业的标识解析节点及应用平台"),
    ("5G通信模组及终端制造项目", "it", XQ, 50000, 100, "sole", "建设5G通信模组、物联网终端生产线"),
    ("软件和信息服务产业园项目", "it", GXQ, 80000, 60, "fund", "建设软件研发楼宇、孵化器及配套服务设施"),
    ("光电子器件生产项目", "it", JKQ, 45000, 90, "joint", "建设光模块、光器件生产线"),
    ("北斗时空信息应用项目", "it", GXQ, 20000, 30, "open", "建设北斗高精度定位服务平台及终端生产线"),
    ("智能安防设备制造项目", "it", XQ, 30000, 80, "sole", "建设智能摄像机、门禁设备生产线"),
    ("煤基高端碳材料项目", "new_materials", MHG, 300000, 500, "joint", "以煤焦油为原料建设针状焦、负极材料生产装置"),
    ("锂电池电解液及添加剂项目", "new_materials", MHG, 120000, 260, "sole", "年产10万吨电解液及2万吨添加剂"),
    ("高性能工程塑料项目", "new_materials", MHG, 180000, 300, "joint", "建设聚碳酸酯、聚甲醛等工程塑料装置"),
    ("碳纤维复合材料项目", "new_materials", JKQ, 90000, 160, "fund", "建设碳纤维原丝、复合材料制品生产线"),
    ("可降解塑料项目", "new_materials", MHG, 100000, 220, "sole", "年产15万吨PBAT/PBS可降解塑料"),
    ("特种气体及电子化学品项目", "new_materials", MHG, 80000, 150, "joint", "建设电子级特种气体、湿电子化学品装置"),
    ("石墨烯应用产品项目", "new_materials", GXQ, 35000, 60, "open", "建设石墨烯导热膜、涂料等应用产品生产线"),
    ("高端金属材料精深加工项目", "new_materials", XQ, 70000, 180, "sole", "建设铝合金型材、精密铜带生产线"),
    ("新能源汽车整车配套零部件产业园项目", "nev", XQ, 250000, 600, "fund", "建设车身结构件、内外饰件等配套产业园"),
    ("动力电池电芯及模组项目", "nev", JKQ, 500000, 800, "joint", "建设20GWh动力电池电芯及模组生产线"),
    ("电驱动系统生产项目", "nev", XQ, 90000, 150, "sole", "建设驱动电机、电控系统生产线"),
    ("汽车轻量化铝合金部件项目", "nev", XQ, 60000, 140, "sole", "建设一体化压铸车身部件生产线"),
    ("充换电设备及运营项目", "nev", GXQ, 30000, 40, "ppp", "建设充电桩、换电站设备生产及城市运营网络"),
    ("动力电池回收利用项目", "nev", MHG, 80000, 200, "joint", "年回收处理退役动力电池5万吨"),
    ("汽车线束及连接器项目", "nev", XQ, 25000, 70, "sole", "建设高压线束、连接器生产线"),
    ("氢燃料电池系统项目", "nev", MHG, 100000, 160, "fund", "依托煤制氢建设燃料电池电堆及系统生产线"),
    ("智能矿山装备制造项目", "equipment", JKQ, 120000, 240, "joint", "建设智能综采、掘进及辅助运输装备生产基地"),
    ("煤矿机器人研发制造项目", "equipment", GXQ, 50000, 80, "sole", "建设巡检、钻锚、救援等煤矿机器人生产线"),
    ("高端液压元件项目", "equipment", JKQ, 40000, 90, "sole", "建设高压柱塞泵、液压阀生产线"),
    ("工业机器人及智能产线项目", "equipment", JKQ, 60000, 110, "joint", "建设工业机器人本体及系统集成生产线"),
    ("节能环保装备制造项目", "equipment", XQ, 35000, 90, "sole", "建设除尘、脱硫脱硝设备生产线"),
    ("风电装备零部件项目", "equipment", MJ, 80000, 200, "joint", "建设风电齿轮箱、轴承等零部件生产线"),
    ("光伏组件及支架制造项目", "equipment", MJ, 100000, 260, "sole", "建设5GW光伏组件及跟踪支架生产线"),
    ("数控机床及关键功能部件项目", "equipment", JKQ, 45000, 100, "fund", "建设五轴数控机床、电主轴生产线"),
    ("生物医药产业园项目", "life_health", GXQ, 150000, 300, "fund", "建设原料药、制剂生产车间及研发中心"),
    ("医疗器械生产基地项目", "life_health", GXQ, 60000, 120, "joint", "建设医用耗材、体外诊断试剂生产线"),
    ("中医药大健康产业项目", "life_health", XQ, 50000, 150, "open", "建设八公山中药材种植、饮片加工及康养基地"),
    ("康养综合体项目", "life_health", MJ, 80000, 200, "ppp", "依托焦岗湖建设医养结合康养综合体"),
    ("日化及个人护理用品项目", "life_health", XQ, 40000, 100, "sole", "建设洗护用品、口腔护理用品生产线"),
    ("生物发酵制品项目", "life_health", MHG, 70000, 160, "joint", "建设氨基酸、酶制剂发酵生产装置"),
    ("预制菜中央厨房项目", "green_food", XQ, 30000, 80, "sole", "建设预制菜加工中心及冷链配送中心"),
    ("淮南牛肉汤产业化项目", "green_food", JKQ, 20000, 50, "joint", "建设牛肉汤料包标准化生产线及品牌运营中心"),
    ("豆制品精深加工项目", "green_food", JKQ, 25000, 60, "sole", "依托八公山豆腐文化建设豆制品精深加工基地"),
    ("焦岗湖生态水产加工项目", "green_food", MJ, 15000, 40, "open", "建设水产品精深加工及冷链物流设施"),
    ("粮油精深加工项目", "green_food", XQ, 60000, 150, "sole", "建设优质稻米、食用油精深加工生产线"),
    ("绿色农产品冷链物流园项目", "green_food", MJ, 40000, 120, "ppp", "建设冷库、分拣中心及电商物流设施"),
    ("乳制品加工项目", "green_food", XQ, 50000, 100, "joint", "建设液态奶、奶粉生产线及配套牧场"),
    ("家电整机配套注塑件项目", "appliance_parts", XQ, 20000, 60, "sole", "为周边家电整机企业配套注塑结构件"),
    ("家电压缩机零部件项目", "appliance_parts", JKQ, 35000, 90, "sole", "建设压缩机壳体、电机零部件生产线"),
    ("智能家电控制器项目", "appliance_parts", GXQ, 25000, 40, "joint", "建设家电智能控制板、显示模组生产线"),
    ("家电钣金及喷涂件项目", "appliance_parts", XQ, 15000, 50, "sole", "建设钣金冲压、粉末喷涂生产线"),
    ("家电包装材料项目", "appliance_parts", JKQ, 10000, 30, "open", "建设EPS缓冲包装、纸箱生产线"),
    (
        "煤制烯烃下游深加工项目",
        "chemicals",
        MHG,
        400000,
        700,
        "joint",
        "以园区烯烃为原料建设聚烯烃改性、精细化学品装置",
    ),
    ("煤制乙二醇项目", "chemicals", MHG, 350000, 600, "fund", "年产60万吨煤制乙二醇装置"),
    ("精细化工中间体项目", "chemicals", MHG, 60000, 120, "sole", "建设医药、农药中间体生产装置"),
    ("煤矿瓦斯综合利用项目", "coal", MJ, 30000, 40, "ppp", "建设瓦斯发电及提纯利用装置"),
    ("煤炭清洁高效利用示范项目", "coal", MHG, 200000, 300, "joint", "建设煤炭分质分级利用示范装置"),
    ("采煤沉陷区光伏发电项目", "power", MJ, 150000, 3000, "ppp", "在采煤沉陷区水面建设300MW漂浮式光伏电站"),
    ("新型储能电站项目", "power", GXQ, 80000, 60, "fund", "建设200MW/400MWh电化学储能电站"),
    ("装配式建筑部品部件项目", "building_materials", XQ, 40000, 120, "sole", "建设预制混凝土构件、钢结构部件生产线"),
    ("固废综合利用新型建材项目", "building_materials", MHG, 30000, 100, "joint", "利用粉煤灰、煤矸石生产新型墙材"),
]

MARKET = "淮南地处长三角城市群和合肥都市圈，区位交通便利，产业配套完善，{industry}市场需求持续增长，发展前景广阔。"
BENEFIT = "项目建成后预计年产值约{output}亿元，年纳税约{tax}亿元，新增就业岗位{jobs}个。"


def _park(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        # Without the demo's parks (a bare database), any park or county stands in.
        unit = OrgUnit.objects.filter(kind__in=[OrgUnitKind.PARK, OrgUnitKind.COUNTY]).order_by("pk").first()
    if unit is None:
        raise RuntimeError("the demo catalog needs at least one park or county in the org tree")
    return unit


def _industry(code: str) -> Industry:
    return Industry.objects.filter(code=code).first() or Industry.objects.get(code="other")


def load_demo_catalog(year: int) -> CatalogEdition:
    """Create the 61 catalog items (if missing) and a published "<year>年招商项目册"."""
    with acting(channel="cli"):
        items: list[CatalogItem] = []
        for n, (name, industry_code, park_code, wan, mu, mode, content) in enumerate(ITEMS):
            existing = CatalogItem.objects.filter(name=name).first()
            if existing is not None:
                items.append(existing)
                continue
            industry = _industry(industry_code)
            unit, person, phone = PARK_CONTACT[park_code]
            output = Decimal(wan) * Decimal("1.5") / Decimal(10000)
            items.append(
                services.catalog_item_create(
                    acting_user=None,
                    data=CatalogItemInput.of(**{
                        "name": name,
                        "industry": industry.code,
                        "park": _park(park_code).code,
                        "investment_estimate_wan": Decimal(wan),
                        "land_mu": Decimal(mu),
                        "cooperation_mode": mode,
                        "construction_content": content + "。",
                        "market_analysis": MARKET.format(industry=industry.name),
                        "benefit_analysis": BENEFIT.format(
                            output=f"{output:.1f}", tax=f"{output / 10:.2f}", jobs=100 + (n * 37) % 900
                        ),
                        "contact_unit": unit,
                        "contact_person": person,
                        "contact_phone": phone,
                    }),
                )
            )
        title = f"{year}年招商项目册"
        edition = CatalogEdition.objects.filter(title=title).first()
        if edition is None:
            edition = services.edition_create(acting_user=None, data=EditionCreateInput.of(title=title, year=year))
        if edition.status == EditionStatus.DRAFT:
            services.edition_set_items(
                acting_user=None, edition=edition, data=EditionItemsInput.of(items=[i.pk for i in items])
            )
            edition = services.edition_publish(acting_user=None, edition=edition)
        return edition
