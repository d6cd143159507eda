"""Deterministic Chinese text: titles, bodies, numbers and dates for a county portal.

Everything takes a `random.Random` made by `rng(seed, *labels)`, so one document's text does not
shift when another column changes size. Word lists stay inside GBK (pages may be served as GBK).
"""

from __future__ import annotations

import hashlib
import random
from datetime import date

TOPICS = (
    "乡村振兴", "优化营商环境", "安全生产", "生态环境保护", "农村人居环境整治", "义务教育优质均衡发展",
    "养老服务体系建设", "城乡居民医疗保障", "城乡供水一体化", "防汛抗旱", "森林草原防火", "稳就业促创业",
    "数字政府建设", "政务服务标准化", "消防安全", "食品安全", "文化旅游融合发展", "招商引资",
    "高标准农田建设", "耕地保护", "老旧小区改造", "燃气安全", "道路交通安全", "秸秆综合利用",
    "河湖长制", "大气污染防治", "民营经济发展", "科技创新", "县域商业体系建设", "公共法律服务",
)
DOC_TYPES = ("实施方案", "工作方案", "管理办法", "实施细则", "三年行动计划", "实施意见", "考核办法")
DEPARTMENTS = (
    "县人民政府办公室", "县发展和改革局", "县教育局", "县财政局", "县自然资源和规划局", "县住房和城乡建设局",
    "县交通运输局", "县农业农村局", "县水利局", "县卫生健康局", "县应急管理局", "县市场监督管理局",
    "县人力资源和社会保障局", "县民政局", "县司法局", "县商务局", "县文化广电和旅游局", "县生态环境分局",
)
TOWNS = ("城关镇", "东关镇", "西营乡", "南河镇", "北岭乡", "太平镇", "永安乡", "青龙镇", "柳园镇", "石桥乡")
THEMES = ("综合政务", "国民经济管理、国有资产监管", "财政、金融、审计", "城乡建设、环境保护", "农业、林业、水利",
          "教育", "卫生、体育", "劳动、人事、监察", "民政、扶贫、救灾", "公安、安全、司法", "工业、交通")
NEWS_FORMS = ("{c}召开{t}工作推进会", "{c}部署{t}重点工作", "{town}扎实推进{t}", "县领导调研{t}工作",
              "{c}{t}工作取得阶段性成效", "{dept}开展{t}专题培训", "{c}举办{t}宣传活动")
NOTICE_FORMS = ("关于开展{t}专项检查的通知", "关于做好{year}年{t}工作的通知", "{dept}关于{t}有关事项的公告",
                "关于{t}项目拟入选名单的公示", "关于征求《{c}{t}{dtype}（征求意见稿）》意见的公告")
POLICY_FORMS = ("关于印发《{c}{t}{dtype}》的通知", "{c}人民政府关于加快推进{t}的实施意见",
                "{c}人民政府办公室关于进一步加强{t}工作的通知")
INTERP_FORMS = ("关于《{short}》的解读", "《{short}》政策解读", "图解：《{short}》")
DOC_FORMS = ("{c}{year}年{t}情况", "{dept}{year}年{t}工作计划", "{c}{t}专项规划（{year}—{year5}年）",
             "{dept}{year}年部门预算公开说明", "{c}{year}年{t}资金分配情况", "{dept}关于{town}{t}工作情况的报告",
             "{dept}{year}年{month}月{t}工作动态", "{town}{year}年{t}实施情况公示")
CN_NUMS = "一二三四五六七八九十"


def rng(seed: int, *labels: object) -> random.Random:
    """A Random that depends only on the seed and the labels (stable across runs and processes)."""
    text = "|".join([str(seed), *map(str, labels)])
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def cn_num(n: int) -> str:
    """1..99 in Chinese numerals (section numbers 一、二、…); larger numbers stay Arabic."""
    if n > 99:
        return str(n)
    if n <= 10:
        return CN_NUMS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUMS[tens - 1]) + "十" + (CN_NUMS[ones - 1] if ones else "")


class TitleMaker:
    """Titles for one site; a repeat gets a distinguishing suffix, as real columns do (第二批…)."""

    def __init__(self, county: str) -> None:
        self.county = county
        self.seen: set[str] = set()
        self.repeats: dict[str, int] = {}

    def unique(self, title: str) -> str:
        base = title
        while title in self.seen:
            n = self.repeats[base] = self.repeats.get(base, 1) + 1
            title = f"{base}（第{cn_num(n)}批）" if "公示" in base or "名单" in base else f"{base}（{cn_num(n)}）"
        self.seen.add(title)
        return title

    def make(self, kind: str, r: random.Random, year: int) -> str:
        fields = {"c": self.county, "t": r.choice(TOPICS), "dtype": r.choice(DOC_TYPES), "year": year,
                  "year5": year + 4, "town": r.choice(TOWNS), "dept": r.choice(DEPARTMENTS),
                  "month": r.randint(1, 12)}
        forms = {"news": NEWS_FORMS, "notice": NOTICE_FORMS, "policy": POLICY_FORMS,
                 "normative": POLICY_FORMS}.get(kind, DOC_FORMS)
        return self.unique(r.choice(forms).format(**fields))

    def interpretation(self, policy_title: str, r: random.Random) -> str:
        return self.unique(r.choice(INTERP_FORMS).format(short=short_title(policy_title)))


def short_title(title: str) -> str:
    """What a 解读 title quotes: the part inside 《》, else the title from 关于 on (issuer dropped)."""
    if "《" in title and "》" in title:
        return title[title.index("《") + 1: title.rindex("》")]
    return title[title.index("关于"):] if "关于" in title else title


def doc_number(short: str, kind: str, year: int, n: int) -> str:
    """发文字号: 〔〕 are the brackets real 文号 use; non-policy documents carry 无 (邯郸 style)."""
    prefix = {"policy": "政发", "normative": "政规", "system": "政办发"}.get(kind)
    return f"{short[:2]}{prefix}〔{year}〕{n}号" if prefix else "无"


def index_number(org_code: str, year: int, seq: int) -> str:
    return f"{org_code}/{year}-{seq:05d}"


def paragraphs(r: random.Random, title: str, county: str, n: int = 4) -> list[str]:
    """Body text: an opening, numbered sections, a closing; plausible and GBK-safe."""
    topic = r.choice(TOPICS)
    out = [f"为深入贯彻落实党中央、国务院和省委、省政府关于{topic}的决策部署，进一步提升工作水平，"
           f"结合{county}实际，现就《{short_title(title)}》有关事项说明如下。"]
    for i in range(1, n + 1):
        dept, town = r.choice(DEPARTMENTS), r.choice(TOWNS)
        out.append(f"{cn_num(i)}、{r.choice(('总体要求', '主要任务', '工作措施', '保障措施', '责任分工'))}。"
                   f"{dept}牵头，{town}等乡镇配合，{r.choice(('建立健全', '持续完善', '统筹推进'))}"
                   f"{r.choice(TOPICS)}工作机制，确保各项任务按期完成，"
                   f"力争到{r.randint(2026, 2028)}年底取得明显成效。")
    out.append("各乡镇、县直各有关单位要高度重视，加强组织领导，明确责任分工，抓好贯彻落实。")
    return out


def person_name(r: random.Random) -> str:
    return r.choice("王李张刘陈杨赵黄周吴徐孙马朱") + r.choice(("建国", "志强", "丽华", "海燕", "永红", "晓东",
                                                               "国庆", "春梅", "立新", "文静"))


def message_text(r: random.Random) -> tuple[str, str]:
    """A 留言 title and question (政民互动)."""
    town, topic = r.choice(TOWNS), r.choice(("路灯不亮", "自来水水压低", "道路破损", "垃圾清运不及时",
                                              "噪音扰民", "医保报销咨询", "学区划分咨询", "公交线路调整建议"))
    return f"{town}{topic}的问题", f"您好，我是{town}居民，近期发现{topic}，希望有关部门尽快处理，谢谢！"
