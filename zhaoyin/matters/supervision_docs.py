"""The 督办单 (supervision order) as a Word document in 公文 layout (issue 15 item 4).

An order is numbered and stored by the action that issues it (``services.matter_supervise``,
``services.matter_list``: 淮招督〔year〕N号 from a per-year counter); its document is made here
from the stored order on each download, outside any write transaction, so a slow render never
holds the counter's lock and the same order always reads the same. The layout is the
bulletin's (``zhaoyin.matters.bulletin``: A4, GB/T 9704 margins, the issuing body's mark in
red above a red rule, 小标宋 title, 仿宋 body on 28 pt lines). An official Chinese document:
its wording is Chinese in the code, like the bulletin's.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from zhaoyin.accounts.models import User
from zhaoyin.audit.services import audit_write
from zhaoyin.core import gongwen
from zhaoyin.core.gongwen import chinese_date
from zhaoyin.matters import clocks
from zhaoyin.matters.bulletin import ISSUER
from zhaoyin.matters.models import Matter, SupervisionOrder, SupervisionOrderKind
from zhaoyin.matters.selectors import matter_get_for_user

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLES = {
    SupervisionOrderKind.SUPERVISE.value: "督办单",
    SupervisionOrderKind.LISTED.value: "挂牌督办单",
}
CLOSING = "请主办单位高度重视，按照要求抓紧办理，于限期内办结，并将办理情况书面反馈市督查室。逾期未办结的，将予以通报。"


def supervision_orders(matter: Matter) -> list[SupervisionOrder]:
    """The orders of a matter already fetched through a selector, oldest first."""
    return list(
        SupervisionOrder.objects.filter(matter=matter)
        .select_related("lead_unit", "leader", "issued_by")
        .order_by("issued_at", "id")
    )


def supervision_order_get_for_user(*, user: User, matter_pk: int, pk: int) -> SupervisionOrder:
    """An order of a matter ``user`` may see (else 404, like an unknown one)."""
    matter = matter_get_for_user(user=user, pk=matter_pk)
    found = (
        SupervisionOrder.objects.filter(matter=matter, pk=pk)
        .select_related("matter", "lead_unit", "leader", "issued_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def order_rows(order: SupervisionOrder) -> list[list[str]]:
    """The order's table: (heading, value) rows."""
    matter = order.matter
    rows = [
        ["事项编号", matter.code],
        ["事项名称", matter.title],
        ["主办单位", order.lead_unit.name if order.lead_unit else "—"],
        ["存在问题", matter.description.strip() or matter.title],
        ["督办要求", order.requirement.strip() or "请按期办结。"],
        ["办理限期", chinese_date(order.deadline) if order.deadline else "—"],
    ]
    if order.kind == SupervisionOrderKind.LISTED.value:
        leader = order.leader
        rows.append(["督办领导", (leader.full_name or leader.get_username()) if leader else "—"])
    return rows


def order_docx(order: SupervisionOrder) -> bytes:
    """The order as a Word document in 公文 layout, page numbers included (``core.gongwen``)."""
    issuer = str(getattr(settings, "ZHAOYIN_BULLETIN_ISSUER", ISSUER))
    doc = gongwen.document(issuer=issuer, doc_number=order.doc_number, title=TITLES.get(order.kind, "督办单"))
    unit = order.lead_unit.name if order.lead_unit else "主办单位"
    gongwen.paragraph(doc, f"{unit}：", gongwen.BODY_FONT, gongwen.BODY_SIZE)
    gongwen.table(doc, ["项目", "内容"], order_rows(order))
    gongwen.paragraph(doc, CLOSING, gongwen.BODY_FONT, gongwen.BODY_SIZE, indent=True)
    return gongwen.sign_and_save(doc, issuer=issuer, issued_on=clocks.today(order.issued_at))


def order_download(*, acting_user: User, order: SupervisionOrder) -> tuple[bytes, str]:
    """The order's document and file name for ``acting_user`` (who fetched it through
    ``supervision_order_get_for_user``); each download audited as ``matter.supervision_order.download``."""
    content = order_docx(order)
    audit_write(
        action="matter.supervision_order.download", user=acting_user, obj=order.matter,
        after={"order": order.doc_number, "bytes": len(content)},
    )
    return content, f"supervision-order-{order.year}-{order.number}.docx"
