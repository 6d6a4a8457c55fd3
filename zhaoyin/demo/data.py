"""The Huainan demo's fixed data (DESIGN 9): the org tree, the industries and the 98
enterprises of the 百家企业行 service. Pure data; ``services.demo_load`` writes it.

Parks are placed under the city (they are managed at city level, 管委会+公司) except
寿县新桥国际产业园, which lies inside 寿县 and is placed under it, so 寿县's staff see it.
Each place also names the GB/T 2260 region code its enterprises are registered under (the
host county for a park), used for the region part of the credit codes.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "340400"


@dataclass(frozen=True)
class UnitSpec:
    """One org unit of the demo tree."""

    code: str
    name: str
    kind: str
    parent: str | None
    location: str = ""
    region: str = CITY_CODE


COUNTIES = [
    UnitSpec("340402", "大通区", "county", CITY_CODE, region="340402"),
    UnitSpec("340403", "田家庵区", "county", CITY_CODE, region="340403"),
    UnitSpec("340404", "谢家集区", "county", CITY_CODE, region="340404"),
    UnitSpec("340405", "八公山区", "county", CITY_CODE, region="340405"),
    UnitSpec("340406", "潘集区", "county", CITY_CODE, region="340406"),
    UnitSpec("340421", "凤台县", "county", CITY_CODE, region="340421"),
    UnitSpec("340422", "寿县", "county", CITY_CODE, region="340422"),
]
PARKS = [
    UnitSpec("park-gxq", "淮南高新区", "park", CITY_CODE, region="340403"),
    UnitSpec("park-jkq", "淮南经开区", "park", CITY_CODE, region="340402"),
    UnitSpec("park-mhg", "现代煤化工园区", "park", CITY_CODE, region="340406"),
    UnitSpec(
        "park-xinqiao", "寿县新桥国际产业园", "park", "340422",
        location="合肥空港经济示范区核心区、合淮同城化先行区", region="340422",
    ),
    UnitSpec("park-maoji", "毛集实验区", "park", CITY_CODE, region="340421"),
]
DEPARTMENTS = [
    UnitSpec("dept-fgw", "发展改革委", "department", CITY_CODE),
    UnitSpec("dept-zsfw", "招商服务中心", "department", CITY_CODE),
    UnitSpec("dept-jxj", "经济和信息化局", "department", CITY_CODE),
    UnitSpec("dept-rck", "市委组织部人才科", "department", CITY_CODE),
    UnitSpec("dept-zrzy", "自然资源和规划局", "department", CITY_CODE),
    UnitSpec("dept-gdgs", "供电公司", "department", CITY_CODE),
    UnitSpec("dept-rsj", "人社局", "department", CITY_CODE),
    UnitSpec("dept-zjj", "住建局", "department", CITY_CODE),
    UnitSpec("dept-jyj", "教育局", "department", CITY_CODE),
    # The departments the policies and the 88 reform measures name (issue 15 item 9), under
    # their official names less the city's prefix, as the existing ones are written.
    UnitSpec("dept-kjj", "科学技术局", "department", CITY_CODE),
    UnitSpec("dept-czj", "财政局", "department", CITY_CODE),
    UnitSpec("dept-swj", "税务局", "department", CITY_CODE),
    UnitSpec("dept-scjg", "市场监督管理局", "department", CITY_CODE),
    UnitSpec("dept-sw", "商务局", "department", CITY_CODE),
    UnitSpec("dept-sjzy", "数据资源管理局", "department", CITY_CODE),
    UnitSpec("dept-jrjg", "地方金融监督管理局", "department", CITY_CODE),
]
_ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
SERVICE_GROUPS = [
    UnitSpec(f"sg-{i + 1:02d}", f"第{_ORDINALS[i]}服务组", "service_group", CITY_CODE) for i in range(10)
]
STATIONS = [
    UnitSpec("station-csj", "驻长三角人才工作站", "station", CITY_CODE, location="上海"),
    UnitSpec("station-g60", "G60科创走廊人才飞地", "station", CITY_CODE, location="上海松江"),
]
CITY = UnitSpec(CITY_CODE, "淮南市", "city", None, region=CITY_CODE)

#: The whole tree, parents before children.
ORG_TREE: list[UnitSpec] = [CITY, *COUNTIES, *PARKS, *DEPARTMENTS, *SERVICE_GROUPS, *STATIONS]
#: The places enterprises are registered in (counties and parks).
PLACES: list[UnitSpec] = [*COUNTIES, *PARKS]
REGION_OF: dict[str, str] = {u.code: u.region for u in ORG_TREE}
NAME_OF: dict[str, str] = {u.code: u.name for u in ORG_TREE}

IT = "新一代信息技术"
MAT = "新材料"
NEV = "新能源汽车及零部件"
EQP = "高端装备制造"
HLT = "生命健康"
FOOD = "绿色食品"
COAL = "煤炭"
POWER = "电力"
CHEM = "化工"
BLD = "建材"
TEX = "纺织服装"
APPL = "家电配套"

#: The six emerging industries of DESIGN 9, then traditional ones (name, code).
EMERGING_INDUSTRIES = [(IT, "it"), (MAT, "new_materials"), (NEV, "nev"), (EQP, "equipment"),
                       (HLT, "life_health"), (FOOD, "green_food")]
TRADITIONAL_INDUSTRIES = [(COAL, "coal"), (POWER, "power"), (CHEM, "chemicals"), (BLD, "building_materials"),
                          (TEX, "textiles"), (APPL, "appliance_parts")]

QUALIFICATIONS = ["高新技术企业", "专精特新", "科技型中小企业", "专精特新小巨人", "省级企业技术中心"]

HANBANG = "安徽汉邦日化有限公司"
SAIWEI = "淮南赛纬电子材料有限公司"
BEIKE = "淮南贝可科技有限公司"

#: The 98 enterprises: (name, industry, org unit code). The report's named firms come first,
#: so 汉邦日化 lands in the first service group (the demo service member's).
ENTERPRISES: list[tuple[str, str, str]] = [
    (HANBANG, HLT, "park-xinqiao"),
    (SAIWEI, MAT, "park-mhg"),
    (BEIKE, IT, "park-gxq"),
    ("淮南显界智能显示科技有限公司", IT, "park-gxq"),
    ("淮南华瑞光电科技有限公司", IT, "park-gxq"),
    ("安徽淮芯半导体有限公司", IT, "park-gxq"),
    ("淮南云海数据科技有限公司", IT, "340403"),
    ("淮南讯达信息技术有限公司", IT, "340403"),
    ("安徽光链通信技术有限公司", IT, "park-jkq"),
    ("淮南天启软件科技有限公司", IT, "340403"),
    ("淮南联创触控技术有限公司", IT, "park-gxq"),
    ("淮南智汇大数据有限公司", IT, "340402"),
    ("安徽新桥精密电子有限公司", IT, "park-xinqiao"),
    ("淮南华云电子科技有限公司", IT, "park-jkq"),
    ("淮南星图物联网科技有限公司", IT, "340404"),
    ("寿县晶显电子科技有限公司", IT, "340422"),
    ("淮南触界智能终端有限公司", IT, "park-gxq"),
    ("淮南碳鑫新材料科技有限公司", MAT, "park-mhg"),
    ("安徽淮化高分子材料有限公司", MAT, "park-mhg"),
    ("淮南锂源新能源材料有限公司", MAT, "park-mhg"),
    ("淮南潘集煤基新材料有限公司", MAT, "340406"),
    ("淮南华晶石英材料有限公司", MAT, "340405"),
    ("淮南瑞丰新型复合材料有限公司", MAT, "park-jkq"),
    ("凤台县金禾新材料有限公司", MAT, "340421"),
    ("淮南舜耕特种陶瓷有限公司", MAT, "340404"),
    ("淮南鑫泰铝业新材料有限公司", MAT, "park-jkq"),
    ("安徽新桥汽车零部件有限公司", NEV, "park-xinqiao"),
    ("淮南驰远动力电池有限公司", NEV, "park-jkq"),
    ("淮南华驰汽车电子有限公司", NEV, "park-gxq"),
    ("寿县振宇汽车配件有限公司", NEV, "park-xinqiao"),
    ("淮南恒通新能源科技有限公司", NEV, "340402"),
    ("淮南中联电驱科技有限公司", NEV, "park-jkq"),
    ("安徽淮奥汽车轻量化部件有限公司", NEV, "park-xinqiao"),
    ("淮南智行充电设备有限公司", NEV, "340403"),
    ("淮南矿机智能装备有限公司", EQP, "340404"),
    ("安徽淮河重工机械有限公司", EQP, "340402"),
    ("淮南精锐数控机床有限公司", EQP, "park-jkq"),
    ("淮南中煤智能装备有限公司", EQP, "340406"),
    ("淮南华宇液压设备有限公司", EQP, "340405"),
    ("寿县新桥高端制造有限公司", EQP, "park-xinqiao"),
    ("淮南宏达机电设备有限公司", EQP, "340402"),
    ("淮南天工精密机械有限公司", EQP, "park-gxq"),
    ("凤台县鑫源矿山机械有限公司", EQP, "340421"),
    ("淮南联拓智能机器人有限公司", EQP, "park-gxq"),
    ("淮南康健生物医药有限公司", HLT, "park-gxq"),
    ("安徽八公山制药有限公司", HLT, "340405"),
    ("淮南仁和医疗器械有限公司", HLT, "park-jkq"),
    ("寿县正阳健康科技有限公司", HLT, "340422"),
    ("淮南华泰中药饮片有限公司", HLT, "340404"),
    ("淮南博瑞康复器械有限公司", HLT, "park-xinqiao"),
    ("淮南安康卫生用品有限公司", HLT, "340403"),
    ("淮南八公山豆制品有限公司", FOOD, "340405"),
    ("寿县瓦埠湖水产食品有限公司", FOOD, "340422"),
    ("凤台县淮丰粮油有限公司", FOOD, "340421"),
    ("淮南禾香农业科技有限公司", FOOD, "340406"),
    ("安徽淮味牛肉汤食品有限公司", FOOD, "340403"),
    ("毛集实验区绿源生态农业有限公司", FOOD, "park-maoji"),
    ("寿县古城酒业有限公司", FOOD, "340422"),
    ("淮南谷丰米业有限公司", FOOD, "340404"),
    ("毛集焦岗湖水产品有限公司", FOOD, "park-maoji"),
    ("淮南潘集矿业服务有限公司", COAL, "340406"),
    ("淮南谢家集煤炭洗选有限公司", COAL, "340404"),
    ("凤台县顾桥煤业服务有限公司", COAL, "340421"),
    ("淮南大通矿山修复科技有限公司", COAL, "340402"),
    ("淮南潘北煤炭物流有限公司", COAL, "340406"),
    ("淮南田家庵热电有限公司", POWER, "340403"),
    ("淮南平圩综合能源有限公司", POWER, "340406"),
    ("淮南洛河新能源有限公司", POWER, "340402"),
    ("凤台县光伏电站运营有限公司", POWER, "340421"),
    ("毛集实验区风电开发有限公司", POWER, "park-maoji"),
    ("淮南现代煤化工有限公司", CHEM, "park-mhg"),
    ("安徽淮化精细化工有限公司", CHEM, "park-mhg"),
    ("淮南华恒甲醇有限公司", CHEM, "park-mhg"),
    ("淮南泉山化学有限公司", CHEM, "340404"),
    ("淮南德润环保科技有限公司", CHEM, "park-mhg"),
    ("淮南舜岳新型建材有限公司", BLD, "340405"),
    ("淮南八公山水泥有限公司", BLD, "340405"),
    ("寿县安丰装配式建筑有限公司", BLD, "340422"),
    ("淮南国建混凝土有限公司", BLD, "340403"),
    ("毛集实验区新型墙材有限公司", BLD, "park-maoji"),
    ("淮南锦绣服饰有限公司", TEX, "340402"),
    ("寿县丝路纺织有限公司", TEX, "340422"),
    ("淮南丽人制衣有限公司", TEX, "park-jkq"),
    ("凤台县棉纺织有限公司", TEX, "340421"),
    ("安徽新桥家电配件有限公司", APPL, "park-xinqiao"),
    ("寿县美联电器有限公司", APPL, "park-xinqiao"),
    ("淮南格瑞家电部件有限公司", APPL, "park-jkq"),
    ("安徽合淮塑业有限公司", APPL, "park-xinqiao"),
    ("淮南智慧显示产业园运营有限公司", IT, "park-gxq"),
    ("淮南明镜光学玻璃有限公司", IT, "park-gxq"),
    ("淮南新源储能科技有限公司", NEV, "park-mhg"),
    ("淮南科润检测技术有限公司", EQP, "340403"),
    ("淮南海纳电子科技有限公司", IT, "park-jkq"),
    ("毛集实验区华农食品有限公司", FOOD, "park-maoji"),
    ("潘集区科达工业气体有限公司", CHEM, "340406"),
    ("淮南大通精工机械有限公司", EQP, "340402"),
    ("谢家集区恒昌新材料有限公司", MAT, "340404"),
    ("八公山区紫金生物科技有限公司", HLT, "340405"),
]

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_NAMES = ["建国", "志强", "海涛", "丽华", "明", "伟", "静", "军", "华", "敏", "磊", "洋", "勇", "艳", "杰",
               "娟", "涛", "斌", "超", "霞", "红梅", "国庆", "晓东", "春燕", "德胜", "文博", "振华", "立新"]
ROADS = ["舜耕路", "洞山路", "朝阳路", "淮舜大道", "山南大道", "国庆路", "龙湖路", "广场路", "工业大道", "创业路",
         "科技大道", "合淮路", "新城大道", "港口路"]

#: Annual revenue band in 万元 for 规上 and 规下 firms, and energy intensity (tce per 万元
#: of output) by industry: heavy industries burn far more per yuan.
ENERGY_INTENSITY = {COAL: "0.35", POWER: "1.20", CHEM: "0.60", BLD: "0.50", MAT: "0.25", EQP: "0.05",
                    NEV: "0.06", IT: "0.03", HLT: "0.04", FOOD: "0.08", TEX: "0.07", APPL: "0.06"}
