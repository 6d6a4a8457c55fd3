"""Seed the industry and qualification dictionaries (DESIGN 3.1 and 9) and fold search_text.

Codes are stable ASCII identifiers used by the API, filters and Excel import; names are what
people read. Re-running (or running on a database that has some rows already) updates the
names and order without creating duplicates.
"""

import unicodedata

from django.db import migrations

#: (code, name, emerging). The six emerging industries of DESIGN 9 first, then traditional ones.
INDUSTRIES = [
    ("it", "新一代信息技术", True),
    ("new_materials", "新材料", True),
    ("nev", "新能源汽车及零部件", True),
    ("equipment", "高端装备制造", True),
    ("life_health", "生命健康", True),
    ("green_food", "绿色食品", True),
    ("coal", "煤炭", False),
    ("power", "电力", False),
    ("chemicals", "化工", False),
    ("building_materials", "建材", False),
    ("food_processing", "食品加工", False),
    ("textiles", "纺织服装", False),
    ("services", "现代服务业", False),
    ("other", "其他", False),
]

QUALIFICATIONS = [
    "高新技术企业",
    "专精特新",
    "专精特新小巨人",
    "科技型中小企业",
    "创新型中小企业",
    "制造业单项冠军",
    "省级企业技术中心",
    "瞪羚企业",
    "绿色工厂",
    "上市企业",
]


def seed(apps, schema_editor):
    Industry = apps.get_model("enterprises", "Industry")
    Qualification = apps.get_model("enterprises", "Qualification")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    for order, (code, name, emerging) in enumerate(INDUSTRIES, start=1):
        row = Industry.objects.filter(code=code).first() or Industry.objects.filter(name=name).first()
        if row is None:
            row = Industry(code=code)
        row.code, row.name, row.emerging, row.sort_order = code, name, emerging, order * 10
        row.save()
    for order, name in enumerate(QUALIFICATIONS, start=1):
        Qualification.objects.update_or_create(name=name, defaults={"sort_order": order * 10})
    # search_text is now stored folded (NFKC, upper case); rebuild it for existing rows.
    for e in Enterprise.objects.only("name", "uscc", "legal_representative", "address").iterator():
        parts = (e.name, e.uscc, e.legal_representative, e.address)
        text = unicodedata.normalize("NFKC", " ".join(p for p in parts if p)).upper()[:500]
        Enterprise.objects.filter(pk=e.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
