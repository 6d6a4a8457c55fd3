"""The demo's matters, as data: the 88 reform measures of 淮南's 《创优营商环境提升行动方案》 in
their 20 areas (the report names 企业开办, 工程建设项目报建, 获得电力 …; the measures below are
written for the demo in the style of such plans), and the enterprise, project and talent
demands that fill the lists.
"""

from __future__ import annotations

#: (area, owning department code, measures). 20 areas, 88 measures. Each area is led by the
#: department that does the work (企业开办 the 市场监管局, 纳税 the 税务局, 获得信贷 the 地方金融
#: 监管局 …); 执行合同 and 办理破产 are the courts', which are not in the tree: the 发展改革委,
#: the business-environment office that dispatches the plan, leads them.
REFORM_AREAS: list[tuple[str, str, list[str]]] = [
    (
        "企业开办",
        "dept-scjg",
        [
            "企业开办全流程一日办结",
            "推行企业开办“一网通办”、一窗受理",
            "免费刻制首套公章并同步邮寄",
            "推行电子营业执照和电子印章同步发放",
            "新开办企业税控设备免费发放",
        ],
    ),
    (
        "工程建设项目报建",
        "dept-zjj",
        [
            "社会投资简易低风险项目审批不超过20个工作日",
            "推行“拿地即开工”审批模式",
            "施工图审查改为告知承诺制",
            "联合验收一次完成、限时办结",
            "工程建设项目审批管理系统全流程在线",
        ],
    ),
    (
        "获得电力",
        "dept-gdgs",
        [
            "低压小微企业用电报装“零上门、零审批、零投资”",
            "高压用户办电时间压缩至30个工作日内",
            "外线工程行政审批并联办理",
            "推行电力接入工程费用政府分担",
            "供电可靠性公开承诺并按月通报",
        ],
    ),
    (
        "获得用水用气",
        "dept-zjj",
        [
            "用水报装时限压缩至5个工作日",
            "用气报装时限压缩至5个工作日",
            "水电气联合报装一表申请",
            "小型工程免于行政审批",
        ],
    ),
    (
        "不动产登记",
        "dept-zrzy",
        [
            "一般不动产登记1个工作日办结",
            "企业间不动产转移登记“一窗受理、并行办理”",
            "推行不动产登记与水电气网过户联动",
            "不动产登记信息网上查询全覆盖",
            "抵押登记业务延伸至银行网点",
        ],
    ),
    (
        "纳税服务",
        "dept-swj",
        [
            "主要涉税事项全程网上办理",
            "纳税人年纳税时间压缩至100小时以内",
            "留抵退税办理时限压缩至3个工作日",
            "推行非接触式办税缴费",
            "新办纳税人“套餐式”服务当日办结",
        ],
    ),
    (
        "跨境贸易",
        "dept-sw",
        [
            "进出口整体通关时间压缩三分之一",
            "推广“提前申报”“两步申报”通关模式",
            "口岸收费目录清单公开",
            "建设国际贸易“单一窗口”地方特色应用",
        ],
    ),
    (
        "获得信贷",
        "dept-jrjg",
        [
            "搭建政银企融资对接平台",
            "推广“税融通”等信用贷款产品",
            "政策性融资担保费率降至1%以下",
            "设立企业转贷应急资金",
            "动产抵押登记全程电子化",
        ],
    ),
    (
        "政府采购",
        "dept-czj",
        [
            "政府采购项目全流程电子化",
            "取消政府采购投标保证金",
            "中小企业预留采购份额不低于30%",
            "采购合同融资线上办理",
        ],
    ),
    (
        "招标投标",
        "dept-fgw",
        [
            "招标投标全流程电子化交易",
            "推行电子保函替代现金保证金",
            "清理招标投标领域隐性壁垒",
            "建立招标投标投诉处理限时办结机制",
        ],
    ),
    (
        "保护中小投资者",
        "dept-jrjg",
        [
            "开展涉企行政执法专项监督",
            "建立中小投资者纠纷多元化解机制",
            "推行企业信息依法公开查询",
            "加大证券期货违法行为打击力度",
        ],
    ),
    (
        "执行合同",
        "dept-fgw",
        [
            "商事案件平均审理时间压缩至90天",
            "推行网上立案、跨域立案",
            "建立涉企案件执行快速通道",
            "开展执行积案清理专项行动",
        ],
    ),
    (
        "办理破产",
        "dept-fgw",
        [
            "建立破产案件府院联动机制",
            "简易破产案件6个月内审结",
            "设立破产援助资金",
            "推进破产企业信用修复",
        ],
    ),
    (
        "劳动力市场监管",
        "dept-rsj",
        [
            "建立重点企业用工服务专员制度",
            "开展“2+N”招聘活动全年不断线",
            "根治拖欠农民工工资专项行动",
            "推行劳动人事争议“互联网+调解”",
            "新录用员工岗前培训补贴免申即享",
        ],
    ),
    (
        "知识产权创造保护和运用",
        "dept-scjg",
        [
            "设立知识产权维权援助工作站",
            "推行知识产权质押融资风险补偿",
            "专利快速审查通道覆盖重点产业",
            "开展知识产权侵权违法行为专项整治",
        ],
    ),
    (
        "市场监管",
        "dept-scjg",
        [
            "推行“双随机、一公开”跨部门联合监管",
            "建立涉企轻微违法行为免罚清单",
            "实施企业信用风险分类监管",
            "推进“互联网+监管”系统应用",
        ],
    ),
    (
        "政务服务",
        "dept-sjzy",
        [
            "政务服务事项“一网通办”比例达到98%",
            "推行“7×24小时”不打烊自助服务",
            "高频事项“跨省通办”",
            "设立“办不成事”反映窗口",
            "政务服务“好差评”全覆盖、差评整改率100%",
        ],
    ),
    (
        "包容普惠创新",
        "dept-rck",
        [
            "建设人才公寓并实行拎包入住",
            "高层次人才子女入学“一站式”服务",
            "设立科技成果转化引导资金",
            "建设创新创业孵化载体",
        ],
    ),
    (
        "企业注销",
        "dept-scjg",
        [
            "推行企业简易注销登记",
            "注销“一网服务”平台全覆盖",
            "税务注销即办服务",
            "建立企业歇业备案制度",
        ],
    ),
    (
        "惠企政策兑现",
        "dept-zsfw",
        [
            "惠企政策“免申即享”清单化管理",
            "政策兑现资金30个工作日内拨付",
            "建立惠企政策统一发布平台",
            "开展“百家企业行”送政策上门",
        ],
    ),
]

#: Demands that fill the lists: (source, kind, title template with {firm}, lead unit code).
DEMANDS: list[tuple[str, str, str, str]] = [
    ("enterprise_demand", "coordination", "{firm}新增生产线用电增容协调", "park-xinqiao"),
    ("enterprise_demand", "coordination", "{firm}厂区道路及雨污管网配套", "340422"),
    ("enterprise_demand", "consultation", "{firm}咨询高新技术企业认定政策", "dept-kjj"),
    ("enterprise_demand", "coordination", "{firm}扩产用地指标协调", "dept-zrzy"),
    ("enterprise_demand", "coordination", "{firm}融资需求对接（流动资金贷款）", "340403"),
    ("enterprise_demand", "consultation", "{firm}咨询技改补贴申报条件", "dept-jxj"),
    ("enterprise_demand", "coordination", "{firm}天然气管道接入", "park-gxq"),
    ("enterprise_demand", "coordination", "{firm}用工招聘需求（一线操作工80人）", "dept-rsj"),
    ("project_obstacle", "coordination", "赛纬锂电池电解液项目危化品仓储审批协调", "park-mhg"),
    ("project_obstacle", "coordination", "汉邦日化二期医疗器械项目施工许可办理", "park-xinqiao"),
    ("project_obstacle", "coordination", "高新区10亿元产业基金出资人落实", "park-gxq"),
    ("project_obstacle", "coordination", "{firm}项目环评批复进度协调", "340404"),
    ("project_obstacle", "coordination", "{firm}项目土地征收与青苗补偿", "340406"),
    ("talent_demand", "talent_demand", "引进博士人才公寓入住申请（{firm}）", "dept-rck"),
    ("talent_demand", "talent_demand", "高层次人才子女入学协调（{firm}）", "dept-jyj"),
    ("talent_demand", "talent_demand", "人才配偶就业安置（{firm}）", "dept-rsj"),
    ("talent_demand", "talent_demand", "博士补贴申领（{firm}）", "dept-rck"),
    ("leader_instruction", "urgent_instruction", "关于加快新桥产业园重点项目开工的批示", "park-xinqiao"),
    ("leader_instruction", "instruction", "关于推进亩均效益评价结果应用的批示", "dept-fgw"),
    ("meeting_decision", "instruction", "市招商引资工作调度会议定：重点项目周调度", "dept-zsfw"),
    ("meeting_decision", "instruction", "市政府常务会议定：标准化厂房招商", "340421"),
    ("visit", "coordination", "走访{firm}：原材料运输车辆通行证办理", "340402"),
    ("visit", "consultation", "走访{firm}：出口退税政策咨询", "dept-swj"),
    ("visit", "coordination", "走访{firm}：厂区周边路灯照明", "340405"),
]
