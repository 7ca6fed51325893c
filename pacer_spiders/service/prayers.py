"""Prayers: a user asks for a document to be bought; granted when anyone's fetch or upload brings it.

A fetch that finds PACER will not sell the document (sealed, restricted, not available online)
tells the document's waiting prayers so, once: they become ``unavailable`` and their webhooks go
out.  A file that arrives later (an upload) still grants them.
"""

from __future__ import annotations

import json
import logging
import threading

from sqlalchemy import select, update

from pacer_spiders.db.models import DocumentRow
from pacer_spiders.db.work_requests import utcnow
from pacer_spiders.service.models import ServicePrayer

logger = logging.getLogger(__name__)

WAITING = 1
GRANTED = 2
UNAVAILABLE = 3
# PACER's answers that mean "not for sale" (problem kinds of parsers/problems.py); not_found is a
# wrong id rather than a document nobody can buy.
UNSELLABLE = ("sealed", "restricted", "unavailable")


def grant_ready(sessions, config) -> list[int]:
    """Grant every waiting prayer whose document now has its file; their webhooks go out."""
    with sessions() as session:
        ready = session.scalars(select(ServicePrayer.id).join(DocumentRow, DocumentRow.id == ServicePrayer.document_id)
                                .where(ServicePrayer.status.in_((WAITING, UNAVAILABLE)),
                                       DocumentRow.filepath.is_not(None))).all()
        granted = []
        for prayer_id in ready:
            # conditional: two service processes settling at once grant (and notify) once
            done = session.execute(update(ServicePrayer).where(ServicePrayer.id == prayer_id,
                                                               ServicePrayer.status.in_((WAITING, UNAVAILABLE)))
                                   .values(status=GRANTED, granted_at=utcnow()))
            if done.rowcount == 1:
                granted.append(prayer_id)
        session.commit()
    for prayer_id in granted:
        threading.Thread(target=deliver_grant, args=(sessions, config, prayer_id), daemon=True,
                         name=f"prayer-webhook-{prayer_id}").start()
    return granted


def mark_unavailable(sessions, config, document_ids: list[int], refusal: str) -> list[int]:
    """PACER refused to sell these documents (``refusal``, one of UNSELLABLE): their waiting prayers
    become unavailable and are told; a sealed or restricted document is marked sealed, so that no
    new prayer is taken for it."""
    if not document_ids:
        return []
    with sessions() as session:
        if refusal in ("sealed", "restricted"):
            session.execute(update(DocumentRow).where(DocumentRow.id.in_(document_ids)).values(is_sealed=True))
        waiting = session.scalars(select(ServicePrayer.id).where(ServicePrayer.document_id.in_(document_ids),
                                                                 ServicePrayer.status == WAITING)).all()
        told = []
        for prayer_id in waiting:
            # conditional, as for grants: two service processes tell each prayer once
            done = session.execute(update(ServicePrayer).where(ServicePrayer.id == prayer_id,
                                                               ServicePrayer.status == WAITING)
                                   .values(status=UNAVAILABLE))
            if done.rowcount == 1:
                told.append(prayer_id)
        session.commit()
    for prayer_id in told:
        logger.info("prayer %s: PACER will not sell its document (%s)", prayer_id, refusal)
        threading.Thread(target=deliver_unavailable, args=(sessions, config, prayer_id), daemon=True,
                         name=f"prayer-webhook-{prayer_id}").start()
    return told


def deliver_unavailable(sessions, config, prayer_id: int) -> bool:
    """The prayer's webhook, event 3: the document cannot be bought.  Not marked delivered (that
    mark belongs to the grant, which may still come with an upload)."""
    from pacer_spiders.service.serialize import prayer_json
    from pacer_spiders.service.webhooks import post_signed, user_webhook_key

    with sessions() as session:
        prayer = session.get(ServicePrayer, prayer_id)
        if prayer is None or not prayer.webhook_url or prayer.status != UNAVAILABLE:
            return False
        document = session.get(DocumentRow, prayer.document_id)
        body = {"idempotency_key": f"prayer-{prayer.id}-unavailable",
                "webhook": {"event_type": 3, "version": 1, "date_created": utcnow().isoformat()},
                "payload": prayer_json(prayer, document)}
        url, key = prayer.webhook_url, user_webhook_key(config.secret, prayer.user_id)
    return post_signed(url, json.dumps(body).encode(), key, body["idempotency_key"], config)


def deliver_grant(sessions, config, prayer_id: int) -> bool:
    from pacer_spiders.service.serialize import prayer_json
    from pacer_spiders.service.webhooks import post_signed, user_webhook_key

    with sessions() as session:
        prayer = session.get(ServicePrayer, prayer_id)
        if prayer is None or not prayer.webhook_url or prayer.webhook_delivered_at is not None:
            return False
        document = session.get(DocumentRow, prayer.document_id)
        body = {"idempotency_key": f"prayer-{prayer.id}-granted",
                "webhook": {"event_type": 2, "version": 1, "date_created": prayer.granted_at.isoformat()},
                "payload": prayer_json(prayer, document)}
        url, key = prayer.webhook_url, user_webhook_key(config.secret, prayer.user_id)
    ok = post_signed(url, json.dumps(body).encode(), key, body["idempotency_key"], config)
    if ok:
        with sessions() as session:
            session.execute(update(ServicePrayer).where(ServicePrayer.id == prayer_id)
                            .values(webhook_delivered_at=utcnow()))
            session.commit()
    return ok
