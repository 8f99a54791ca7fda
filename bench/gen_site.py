#!/usr/bin/env python3
"""Generate a large synthetic Chinese government portal for the gongkai benchmark.

Deterministic for a given (--pages, --seed, --main-origin, --second-origin): the same arguments
give byte-identical files with the same modification times, so nginx answers the same ETag and
Last-Modified on every run.

Two document roots are written:

  OUT/main/    the portal (TRS-style layout): home page, site map, ~24 columns under /zwgk/ with
               list pages index.html, index_1.html ... linked only by 首页 / 上一页 / 下一页 (no page
               count, no numbered pager: a crawler must follow the chain to the end; 通知公告 holds
               30% of the articles, so its chain is deeper than 12 pages even with --pages 1000)
               and article pages with the metadata table
               (索引号 / 文号 / 成文日期 / 发布日期 ...), attachments (pdf/doc/xls), images, and a few
               hundred links to targets that do not exist (404).
  OUT/second/  a second origin ("政务服务网") that ~5% of the portal's links point to; its pages
               are leaves (no links), and a few of the linked items do not exist.

OUT/manifest.json records the counts and OUT/pages.txt the path of every HTML page of the portal
(for link checkers that cannot recurse). Python 3 standard library only.
"""

import argparse
import json
import os
import random
import sys
from datetime import date, datetime, timedelta, timezone

COLUMNS = [
    # code, name, is a policy-document column (文号), department
    ("tzgg", "通知公告", False, "滕州市人民政府办公室"),
    ("zwdt", "政务动态", False, "滕州市人民政府办公室"),
    ("bmdt", "部门动态", False, "滕州市发展和改革局"),
    ("zjdt", "镇街动态", False, "滕州市荆河街道办事处"),
    ("gfxwj", "规范性文件", True, "滕州市司法局"),
    ("szfwj", "市政府文件", True, "滕州市人民政府"),
    ("szfbwj", "市政府办公室文件", True, "滕州市人民政府办公室"),
    ("zcjd", "政策解读", False, "滕州市人民政府办公室"),
    ("ghjh", "规划计划", False, "滕州市发展和改革局"),
    ("tjxx", "统计信息", False, "滕州市统计局"),
    ("czyjs", "财政预决算", False, "滕州市财政局"),
    ("zdxm", "重大项目", False, "滕州市发展和改革局"),
    ("xzxk", "行政许可", False, "滕州市行政审批服务局"),
    ("xzcf", "行政处罚", False, "滕州市市场监督管理局"),
    ("rsxx", "人事信息", False, "滕州市人力资源和社会保障局"),
    ("jyxx", "教育信息", False, "滕州市教育和体育局"),
    ("ylws", "医疗卫生", False, "滕州市卫生健康局"),
    ("hjbh", "环境保护", False, "枣庄市生态环境局滕州分局"),
    ("aqsc", "安全生产", False, "滕州市应急管理局"),
    ("spaq", "食品安全", False, "滕州市市场监督管理局"),
    ("shjz", "社会救助", False, "滕州市民政局"),
    ("zfcg", "政府采购", False, "滕州市财政局"),
    ("gycq", "国有产权", False, "滕州市国有资产事务中心"),
    ("jytabl", "建议提案办理", False, "滕州市人民政府办公室"),
]
NAV = ["tzgg", "zwdt", "gfxwj", "zcjd", "ghjh", "tjxx", "czyjs", "xzxk", "ylws", "zfcg"]

DEPTS = [
    "滕州市人民政府办公室", "滕州市发展和改革局", "滕州市教育和体育局", "滕州市科学技术局",
    "滕州市工业和信息化局", "滕州市公安局", "滕州市民政局", "滕州市司法局", "滕州市财政局",
    "滕州市人力资源和社会保障局", "滕州市自然资源局", "滕州市住房和城乡建设局",
    "滕州市交通运输局", "滕州市水务局", "滕州市农业农村局", "滕州市商务局",
    "滕州市文化和旅游局", "滕州市卫生健康局", "滕州市退役军人事务局", "滕州市应急管理局",
    "滕州市审计局", "滕州市市场监督管理局", "滕州市统计局", "滕州市医疗保障局",
    "滕州市行政审批服务局", "滕州市综合行政执法局",
]
TOPICS = [
    "城乡建设", "物价", "财政", "审计", "教育", "卫生", "体育", "农业", "林业", "水利",
    "商贸", "海关", "旅游", "劳动", "人事", "监察", "民政", "社区", "救灾", "公安",
    "安全生产监管", "环境监测", "保护", "治理", "交通", "综合政务", "市场监管", "国土资源",
]
ACTIONS = [
    "印发", "进一步加强", "做好", "开展", "调整", "公布", "加快推进", "深入推进", "全面落实",
    "规范", "组织开展", "切实做好", "实施", "建立健全", "优化",
]
SUBJECTS = [
    "营商环境若干措施", "城区停车场管理办法", "城乡环境卫生管理规定", "城市绿化管理办法",
    "农贸市场管理办法", "住宅小区物业服务收费管理", "安全生产大检查工作", "防汛抗旱工作",
    "冬春季节森林防火工作", "食品安全专项整治", "秋季开学准备工作", "最低生活保障标准",
    "高校毕业生就业创业工作", "政务公开工作要点", "政府信息公开工作年度报告",
    "重大行政决策程序规定", "城乡居民基本医疗保险工作", "农村人居环境整治提升行动",
    "老旧小区改造工作", "消费品以旧换新工作", "数字政府建设实施方案", "优化生育政策",
    "耕地保护和粮食安全责任制", "扬尘污染防治工作", "人才引进若干政策", "稳就业促发展措施",
    "中小企业纾困解难", "文明城市创建工作", "河长制湖长制工作", "道路交通安全综合治理",
]
DOCTYPES = ["通知", "意见", "办法", "方案", "决定", "通告", "公告", "批复", "规定", "实施细则"]
DOCNUM_PREFIX = {"gfxwj": "滕政办发", "szfwj": "滕政发", "szfbwj": "滕政办字"}
PHRASES = [
    "为深入贯彻落实党中央、国务院决策部署", "按照省委、省政府和枣庄市委、市政府工作要求",
    "结合我市实际", "经市政府同意", "现将有关事项通知如下", "坚持以人民为中心的发展思想",
    "各镇人民政府、街道办事处要高度重视", "市直各有关部门要密切配合、形成合力",
    "切实加强组织领导", "严格落实工作责任", "强化督导检查", "确保各项任务落到实处",
    "进一步提升政务服务效能", "持续优化营商环境", "加强政策解读和舆论引导",
    "及时回应社会关切", "依法依规推进政府信息公开", "不断增强人民群众获得感、幸福感、安全感",
    "建立健全长效工作机制", "全面提高依法行政水平", "加快推进高质量发展",
    "统筹做好疫情防控和经济社会发展", "扎实推进乡村振兴战略", "着力保障和改善民生",
    "坚决守住安全生产底线", "推动各项政策措施落地见效", "实行清单化管理、项目化推进",
    "定期调度工作进展情况", "对工作不力的单位进行通报", "本通知自印发之日起施行",
]
SECTION_HEADS = ["一、", "二、", "三、", "四、", "五、", "六、"]
SECTION_TITLES = [
    "总体要求", "工作目标", "主要任务", "重点工作", "保障措施", "职责分工", "实施步骤",
    "工作要求", "组织领导", "监督检查",
]
SERVICE_ITEMS = [
    "企业设立登记", "食品经营许可", "建设工程规划许可证核发", "医师执业注册",
    "道路运输经营许可", "城镇最低生活保障金给付", "社会保障卡申领", "不动产登记",
    "个体工商户登记", "药品零售企业许可", "排水许可", "公共场所卫生许可", "户口迁移",
    "居民身份证换领", "高龄津贴发放", "残疾人证办理", "职业资格证书查询", "公积金提取",
]

CSS = """body{font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;margin:0;color:#333}
.top,.nav,.main,.footer{width:1100px;margin:0 auto}.nav ul{list-style:none;background:#1261ae}
.nav li{display:inline-block;padding:0 12px}.nav a{color:#fff}.list li{border-bottom:1px dashed #ddd}
.list .date{float:right;color:#999}.xxgk_table{width:100%;border-collapse:collapse}
.xxgk_table td{border:1px solid #d9d9d9;padding:4px 8px}.bt{background:#f3f6fa;width:100px}
.page a{margin:0 3px}.footer{border-top:2px solid #1261ae;text-align:center;color:#666}
"""
JS = "function doZoom(s){document.querySelector('.TRS_Editor').style.fontSize=s+'px';}\n"


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def fake_png(rng, n):
    return b"\x89PNG\r\n\x1a\n" + rng.randbytes(n)


def fake_jpg(rng, n):
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(n) + b"\xff\xd9"


def fake_attachment(rng, ext, title, n):
    body = rng.randbytes(n)
    if ext == "pdf":
        head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        return head + b"stream\n" + body + b"\nendstream\n%%EOF\n"
    # doc and xls: the OLE2 compound-file signature, then filler
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + title.encode("utf-8") + body


class Site:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.out = args.out
        self.main_root = os.path.join(self.out, "main")
        self.second_root = os.path.join(self.out, "second")
        self.second = args.second_origin.rstrip("/")
        self.main_origin = args.main_origin.rstrip("/")
        self.html_pages = []  # portal HTML paths, in URL form
        self.counts = {
            "articles": 0, "list_pages": 0, "other_pages": 0, "attachments": 0, "images": 0,
            "broken_targets": 0, "external_links": 0, "links": 0, "second_pages": 0,
            "second_broken_targets": 0, "bytes_main": 0, "bytes_second": 0,
        }
        self.broken = set()
        self.second_broken = set()

    # ---------------------------------------------------------------- files
    def write(self, root, path, data, mtime):
        full = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(full, "wb") as f:
            f.write(data)
        os.utime(full, (mtime, mtime))
        key = "bytes_main" if root == self.main_root else "bytes_second"
        self.counts[key] += len(data)

    def page(self, path, html, mtime):
        self.write(self.main_root, path, html, mtime)
        self.html_pages.append(path)
        self.counts["links"] += html.count(" href=") + html.count(" src=")
        self.counts["external_links"] += html.count('="' + self.second)

    # ---------------------------------------------------------------- plan
    def plan(self):
        rng = self.rng
        n = self.args.pages
        fixed = 6  # home, zwgk index, site map, contact, hdjl, zjtz
        per_list = 20
        ncols = len(COLUMNS)
        # articles + list pages (one per 20 articles, per column) + fixed pages ≈ n
        n_articles = max(ncols * 2, int((n - fixed) * per_list / (per_list + 1)))
        while True:
            per_col = self.split_weighted(n_articles, ncols)
            lists = sum((c + per_list - 1) // per_list for c in per_col)
            total = n_articles + lists + fixed
            if total <= n or n_articles <= ncols * 2:
                break
            n_articles -= 1
        self.per_list = per_list
        start, end = date(2019, 1, 1), date(2024, 12, 31)
        span = (end - start).days
        self.columns = []
        art_id = 1200000
        for (code, name, policy, dept), count in zip(COLUMNS, per_col):
            days = sorted((rng.randrange(span) for _ in range(count)), reverse=True)
            arts = []
            for d in days:
                art_id += rng.randrange(1, 40)
                pub = start + timedelta(days=d)
                arts.append(self.plan_article(code, name, policy, dept, art_id, pub))
            self.columns.append({"code": code, "name": name, "policy": policy, "dept": dept, "articles": arts})
        self.all_articles = [a for c in self.columns for a in c["articles"]]
        n_second = max(60, n // 20)
        self.second_items = ["/item/%06d.html" % (100000 + i * 7) for i in range(n_second)]

    @classmethod
    def split_weighted(cls, total, parts):
        """The first column (通知公告) gets 30% of the articles, the others share the rest."""
        big = (total * 3) // 10
        return [big] + cls.split(total - big, parts - 1)

    @staticmethod
    def split(total, parts):
        base = total // parts
        out = [base] * parts
        for i in range(total - base * parts):
            out[i] += 1
        return out

    def plan_article(self, code, cname, policy, dept, art_id, pub):
        rng = self.rng
        ym = pub.strftime("%Y%m")
        ymd = pub.strftime("%Y%m%d")
        if policy:
            org = rng.choice(["滕州市人民政府", "滕州市人民政府办公室"])
            title = "%s关于%s%s的%s" % (org, rng.choice(ACTIONS), rng.choice(SUBJECTS), rng.choice(DOCTYPES[:4]))
        else:
            org = dept if rng.random() < 0.7 else rng.choice(DEPTS)
            title = "%s关于%s%s的%s" % (org, rng.choice(ACTIONS), rng.choice(SUBJECTS), rng.choice(DOCTYPES))
        return {
            "id": art_id, "code": code, "column": cname, "policy": policy, "org": org,
            "title": title, "pub": pub, "written": pub - timedelta(days=rng.randrange(1, 15)),
            "path": "/zwgk/%s/%s/t%s_%d.html" % (code, ym, ymd, art_id),
            "dir": "/zwgk/%s/%s/" % (code, ym), "ymd": ymd,
        }

    # ---------------------------------------------------------------- chrome
    def head(self, title, meta_extra=""):
        return (
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            "<title>%s_滕州市人民政府</title>\n"
            '<meta name="SiteName" content="滕州市人民政府">\n'
            '<meta name="SiteDomain" content="www.tengzhou.gov.cn">\n'
            '<meta name="SiteIDCode" content="3704810001">\n%s'
            '<link rel="stylesheet" href="/css/style.css">\n'
            '<script src="/js/common.js"></script>\n</head>\n<body>\n'
        ) % (esc(title), meta_extra)

    def top(self):
        nav = "".join(
            '<li><a href="/zwgk/%s/index.html">%s</a></li>' % (c, dict((x[0], x[1]) for x in COLUMNS)[c])
            for c in NAV
        )
        return (
            '<div class="top">\n<a href="/index.html"><img src="/images/logo.png" alt="滕州市人民政府" '
            'width="360" height="60"></a>\n<div class="top-links"><a href="/wzdt.html">网站地图</a> | '
            '<a href="/lxwm.html">联系我们</a></div>\n</div>\n<div class="nav">\n<ul><li><a href="/index.html">'
            "首页</a></li><li><a href=\"/zwgk/index.html\">政府信息公开</a></li>%s</ul>\n</div>\n" % nav
        )

    def footer(self):
        return (
            '<div class="footer">\n<p><a href="/zjtz/index.html">关于我们</a> | <a href="/wzdt.html">网站地图</a>'
            ' | <a href="/hdjl/index.html">互动交流</a></p>\n'
            "<p>主办单位：滕州市人民政府办公室　承办单位：滕州市大数据中心　联系电话：0632-5512345</p>\n"
            '<p>网站标识码：3704810001　<a href="%s/beian.html" target="_blank">鲁ICP备05002176号</a>　'
            '<img src="/images/gaba.png" alt="公安机关备案">鲁公网安备 37048102000123号　'
            '<a href="%s/jiucuo.html" target="_blank"><img src="/images/jiucuo.png" alt="政府网站找错"></a></p>\n'
            "</div>\n</body>\n</html>\n"
        ) % (self.second, self.second)

    def paragraphs(self, k):
        rng = self.rng
        out = []
        heads = 0
        for i in range(k):
            if i and heads < len(SECTION_HEADS) and rng.random() < 0.35:
                out.append("<p><strong>%s%s</strong></p>" % (SECTION_HEADS[heads], rng.choice(SECTION_TITLES)))
                heads += 1
            sent = "，".join(rng.choice(PHRASES) for _ in range(rng.randrange(3, 7)))
            out.append("<p>%s。</p>" % sent)
        return "\n".join(out)

    # ---------------------------------------------------------------- pages
    def article(self, col, idx):
        rng = self.rng
        a = col["articles"][idx]
        arts = col["articles"]
        pub_s = a["pub"].strftime("%Y-%m-%d")
        wenhao = ""
        if a["policy"]:
            wenhao = "%s〔%d〕%d号" % (DOCNUM_PREFIX[a["code"]], a["pub"].year, rng.randrange(1, 60))
        suoyin = "11370481004331876H/%d-%05d" % (a["pub"].year, a["id"] % 100000)
        meta = (
            '<meta name="ColumnName" content="%s">\n<meta name="ColumnType" content="信息公开">\n'
            '<meta name="ArticleTitle" content="%s">\n<meta name="PubDate" content="%s 10:00">\n'
            '<meta name="ContentSource" content="%s">\n<meta name="Url" content="%s%s">\n'
        ) % (a["column"], esc(a["title"]), pub_s, a["org"], self.main_origin, a["path"])
        parts = [self.head(a["title"], meta), self.top()]
        parts.append(
            '<div class="main">\n<div class="position">当前位置：<a href="/index.html">首页</a> &gt; '
            '<a href="/zwgk/index.html">政府信息公开</a> &gt; <a href="../index.html">%s</a> &gt; '
            "<span>正文</span></div>\n<div class=\"article\">\n" % a["column"]
        )
        parts.append(
            '<table class="xxgk_table" cellpadding="0" cellspacing="0">\n'
            '<tr><td class="bt">索 引 号：</td><td class="nr">%s</td><td class="bt">主题分类：</td><td class="nr">%s</td></tr>\n'
            '<tr><td class="bt">发布机构：</td><td class="nr">%s</td><td class="bt">成文日期：</td><td class="nr">%s</td></tr>\n'
            '<tr><td class="bt">文　　号：</td><td class="nr">%s</td><td class="bt">发布日期：</td><td class="nr">%s</td></tr>\n'
            '<tr><td class="bt">效力状况：</td><td class="nr">%s</td><td class="bt">体　　裁：</td><td class="nr">%s</td></tr>\n'
            '<tr><td class="bt">标　　题：</td><td class="nr" colspan="3">%s</td></tr>\n</table>\n'
            % (
                suoyin, rng.choice(TOPICS), a["org"], a["written"].strftime("%Y年%m月%d日"), wenhao,
                a["pub"].strftime("%Y年%m月%d日"), "有效" if a["policy"] else "", a["title"][-2:], esc(a["title"]),
            )
        )
        parts.append(
            '<h1 class="title">%s</h1>\n<div class="info"><span>发布日期：%s</span>　<span>来源：%s</span>　'
            '<span>字号：[<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> '
            '<a href="javascript:doZoom(12)">小</a>]</span></div>\n<div class="TRS_Editor">\n'
            % (esc(a["title"]), pub_s, a["org"])
        )
        parts.append("<p>各镇人民政府、街道办事处，滕州经济开发区管委会，市政府各部门，各企事业单位：</p>\n")
        parts.append(self.paragraphs(rng.randrange(5, 10)))
        # body links: other articles, the second origin, an image, an attachment, a broken target
        for _ in range(rng.randrange(1, 4)):
            o = rng.choice(self.all_articles)
            parts.append('\n<p>详见：<a href="%s">%s</a></p>' % (o["path"], esc(o["title"])))
        if rng.random() < 0.45:
            item = rng.choice(self.second_items)
            name = rng.choice(SERVICE_ITEMS)
            if rng.random() < 0.02:
                item = "/item/missing_%d.html" % a["id"]
                self.second_broken.add(item)
            parts.append('\n<p>办理入口：<a href="%s%s" target="_blank">%s（山东政务服务网）</a></p>' % (self.second, item, name))
        if rng.random() < 0.22:
            img = "%sW0%s%08d.jpg" % (a["dir"], a["ymd"], a["id"])
            self.write(self.main_root, img, fake_jpg(rng, rng.randrange(1500, 7000)), self.mtime(a["pub"]))
            self.counts["images"] += 1
            parts.append('\n<p style="text-align:center"><img src="./W0%s%08d.jpg" alt="%s" width="600"></p>' % (a["ymd"], a["id"], esc(a["title"][:12])))
        if rng.random() < 0.25:
            ext = rng.choice(["pdf", "pdf", "doc", "xls"])
            att = "%sP0%s%08d.%s" % (a["dir"], a["ymd"], a["id"], ext)
            self.write(self.main_root, att, fake_attachment(rng, ext, a["title"], rng.randrange(2000, 16000)), self.mtime(a["pub"]))
            self.counts["attachments"] += 1
            parts.append('\n<p>附件：<a href="./P0%s%08d.%s">%s.%s</a></p>' % (a["ymd"], a["id"], ext, esc(a["title"][-16:]), ext))
        if rng.random() < self.args.broken_rate:
            kind = rng.random()
            if kind < 0.6:
                target = "%st%s_%d_old.html" % (a["dir"], a["ymd"], a["id"] + 1)
                text = "原文链接"
            elif kind < 0.85:
                target = "%sP0%s%08d_x.pdf" % (a["dir"], a["ymd"], a["id"])
                text = "附件（旧）.pdf"
            else:
                target = "/images/zt/%d.png" % a["id"]
                text = None
            self.broken.add(target)
            if text:
                parts.append('\n<p><a href="%s">%s</a></p>' % (target, text))
            else:
                parts.append('\n<p><img src="%s" alt="专题"></p>' % target)
        parts.append("\n</div>\n")
        prev_a = arts[idx - 1] if idx > 0 else None
        next_a = arts[idx + 1] if idx + 1 < len(arts) else None
        parts.append('<div class="pn">')
        if prev_a:
            parts.append('<p>上一篇：<a href="%s">%s</a></p>' % (prev_a["path"], esc(prev_a["title"])))
        if next_a:
            parts.append('<p>下一篇：<a href="%s">%s</a></p>' % (next_a["path"], esc(next_a["title"])))
        parts.append('</div>\n<div class="related"><h3>相关信息</h3>\n<ul>')
        for _ in range(8):
            o = arts[rng.randrange(len(arts))]
            parts.append('<li><a href="%s" title="%s">%s</a><span>%s</span></li>\n' % (o["path"], esc(o["title"]), esc(o["title"][:26]), o["pub"].strftime("%Y-%m-%d")))
        parts.append(
            '</ul></div>\n<div class="tools"><a href="javascript:window.print();">打印本页</a>　'
            '<a href="javascript:window.close();">关闭窗口</a></div>\n</div>\n</div>\n'
        )
        parts.append(self.footer())
        self.page(a["path"], "".join(parts), self.mtime(a["pub"]))
        self.counts["articles"] += 1

    def list_pages(self, col):
        arts = col["articles"]
        per = self.per_list
        npages = max(1, (len(arts) + per - 1) // per)
        base = "/zwgk/%s/" % col["code"]
        newest = arts[0]["pub"] if arts else date(2024, 12, 31)

        def name(i):
            return "index.html" if i == 0 else "index_%d.html" % i

        for p in range(npages):
            chunk = arts[p * per:(p + 1) * per]
            meta = (
                '<meta name="ColumnName" content="%s">\n<meta name="ColumnType" content="信息公开">\n'
                '<meta name="ColumnDescription" content="%s%s">\n'
            ) % (col["name"], col["dept"], col["name"])
            parts = [self.head(col["name"], meta), self.top()]
            parts.append(
                '<div class="main">\n<div class="position">当前位置：<a href="/index.html">首页</a> &gt; '
                '<a href="/zwgk/index.html">政府信息公开</a> &gt; <span>%s</span></div>\n'
                '<div class="column">\n<h2 class="column-title">%s</h2>\n<ul class="list">\n' % (col["name"], col["name"])
            )
            for a in chunk:
                rel = "./" + a["path"][len(base):]
                parts.append(
                    '<li><a href="%s" target="_blank" title="%s">%s</a><span class="date">%s</span></li>\n'
                    % (rel, esc(a["title"]), esc(a["title"]), a["pub"].strftime("%Y-%m-%d"))
                )
            # A bare chain: no page count, no numbered links, no 尾页.
            parts.append('</ul>\n<div class="page">')
            if p > 0:
                parts.append('<a href="index.html">首页</a><a href="%s">上一页</a>' % name(p - 1))
            parts.append("<span>第%d页</span>" % (p + 1))
            if p + 1 < npages:
                parts.append('<a href="%s">下一页</a>' % name(p + 1))
            parts.append("</div>\n</div>\n</div>\n")
            parts.append(self.footer())
            mt = chunk[0]["pub"] if chunk else newest
            self.page(base + name(p), "".join(parts), self.mtime(mt))
            self.counts["list_pages"] += 1

    def simple_page(self, path, title, body):
        html = self.head(title) + self.top() + '<div class="main">\n' + body + "\n</div>\n" + self.footer()
        self.page(path, html, self.mtime(date(2024, 12, 31)))
        self.counts["other_pages"] += 1

    def landing(self):
        cols = "".join(
            '<li><a href="/zwgk/%s/index.html">%s</a>（%d条）</li>\n' % (c["code"], c["name"], len(c["articles"]))
            for c in self.columns
        )
        blocks = []
        for c in self.columns[:8]:
            items = "".join(
                '<li><a href="%s">%s</a><span>%s</span></li>' % (a["path"], esc(a["title"][:28]), a["pub"].strftime("%m-%d"))
                for a in c["articles"][:8]
            )
            blocks.append('<div class="block"><h3><a href="/zwgk/%s/index.html">%s</a></h3><ul>%s</ul></div>\n' % (c["code"], c["name"], items))
        svc = "".join(
            '<li><a href="%s%s" target="_blank">%s</a></li>' % (self.second, it, SERVICE_ITEMS[i % len(SERVICE_ITEMS)])
            for i, it in enumerate(self.second_items[:10])
        )
        self.simple_page(
            "/index.html", "首页",
            '<img src="/images/banner.jpg" alt="滕州">\n%s<div class="block"><h3>政务服务</h3><ul>%s</ul></div>\n'
            '<div class="block"><h3>信息公开目录</h3><ul>%s</ul></div>' % ("".join(blocks), svc, cols),
        )
        self.simple_page(
            "/zwgk/index.html", "政府信息公开",
            '<h2>政府信息公开</h2>\n<p><a href="/zwgk/gfxwj/index.html">政府信息公开指南</a>　'
            '<a href="/zwgk/szfwj/index.html">政府信息公开制度</a>　<a href="/zwgk/tjxx/index.html">政府信息公开年报</a></p>\n'
            "<ul>%s</ul>" % cols,
        )
        self.simple_page("/wzdt.html", "网站地图", "<h2>网站地图</h2>\n<ul>%s</ul>" % cols)
        self.simple_page(
            "/lxwm.html", "联系我们",
            "<h2>联系我们</h2><p>地址：山东省滕州市龙泉路88号　邮编：277500</p><p>电话：0632-5512345</p>"
            '<p>邮箱：<a href="mailto:tzszfb@zz.shandong.cn">tzszfb@zz.shandong.cn</a></p>',
        )
        self.simple_page(
            "/hdjl/index.html", "互动交流",
            '<h2>互动交流</h2><ul><li><a href="%s/item/zxts.html">咨询投诉</a></li><li><a href="/lxwm.html">联系我们</a></li>'
            '<li><a href="/zwgk/jytabl/index.html">建议提案办理</a></li></ul>' % self.second,
        )
        self.simple_page(
            "/zjtz/index.html", "走进滕州",
            "<h2>走进滕州</h2>" + self.paragraphs(6) + '<p><img src="/images/zjtz.png" alt="走进滕州"></p>',
        )

    def second_origin(self):
        rng = self.rng
        mt = self.mtime(date(2024, 12, 31))

        def leaf(title, body):
            return (
                '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>%s_山东政务服务网</title>'
                '</head><body><h1>%s</h1>%s</body></html>\n' % (esc(title), esc(title), body)
            )

        self.write(self.second_root, "/robots.txt", "User-agent: *\nDisallow:\n", mt)
        self.write(self.second_root, "/index.html", leaf("首页", "<p>山东政务服务网滕州站</p>"), mt)
        self.write(self.second_root, "/beian.html", leaf("ICP备案", "<p>鲁ICP备05002176号</p>"), mt)
        self.write(self.second_root, "/jiucuo.html", leaf("政府网站找错", "<p>请描述您发现的问题。</p>"), mt)
        self.write(self.second_root, "/item/zxts.html", leaf("咨询投诉", "<p>在线咨询投诉。</p>"), mt)
        for i, it in enumerate(self.second_items):
            name = SERVICE_ITEMS[i % len(SERVICE_ITEMS)]
            body = "<p>事项名称：%s</p><p>实施主体：%s</p><p>办理时限：%d个工作日</p>" % (name, rng.choice(DEPTS), rng.randrange(1, 20))
            self.write(self.second_root, it, leaf(name, body), mt)
        self.counts["second_pages"] = len(self.second_items) + 4

    def statics(self):
        rng = self.rng
        mt = self.mtime(date(2024, 1, 1))
        self.write(self.main_root, "/robots.txt", "User-agent: *\nDisallow:\n", mt)
        self.write(self.main_root, "/css/style.css", CSS, mt)
        self.write(self.main_root, "/js/common.js", JS, mt)
        for name, n in [("logo.png", 6000), ("gaba.png", 900), ("jiucuo.png", 2500), ("zjtz.png", 3000)]:
            self.write(self.main_root, "/images/" + name, fake_png(rng, n), mt)
            self.counts["images"] += 1
        self.write(self.main_root, "/images/banner.jpg", fake_jpg(rng, 30000), mt)
        self.counts["images"] += 1

    @staticmethod
    def mtime(d):
        return datetime(d.year, d.month, d.day, 2, 0, tzinfo=timezone.utc).timestamp()

    def generate(self):
        self.plan()
        self.statics()
        self.landing()
        for col in self.columns:
            self.list_pages(col)
            for i in range(len(col["articles"])):
                self.article(col, i)
        self.second_origin()
        self.counts["broken_targets"] = len(self.broken)
        self.counts["second_broken_targets"] = len(self.second_broken)
        self.counts["html_pages"] = len(self.html_pages)
        with open(os.path.join(self.out, "pages.txt"), "w") as f:
            for p in self.html_pages:
                f.write(p + "\n")
        manifest = dict(self.counts)
        manifest.update({
            "pages_requested": self.args.pages, "seed": self.args.seed,
            "main_origin": self.main_origin, "second_origin": self.second,
            "columns": len(self.columns), "generator": 1,
        })
        with open(os.path.join(self.out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1, ensure_ascii=False)
        return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=20000, help="HTML pages on the portal (default 20000)")
    ap.add_argument("--quick", action="store_true", help="1,000 pages")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--broken-rate", type=float, default=0.015, help="share of articles with a link to a missing target")
    ap.add_argument("--main-origin", default="http://127.0.0.1:18480")
    ap.add_argument("--second-origin", default="http://127.0.0.1:18481")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.quick:
        args.pages = 1000
    if args.pages < 100:
        sys.exit("--pages must be at least 100")
    if os.path.exists(args.out) and os.listdir(args.out):
        sys.exit("output directory %s is not empty" % args.out)
    os.makedirs(args.out, exist_ok=True)
    m = Site(args).generate()
    print(json.dumps(m, ensure_ascii=False))


if __name__ == "__main__":
    main()
