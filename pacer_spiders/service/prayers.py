"""Prayers: a user asks for a document to be bought; granted when anyone's fetch or upload brings it."""

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


def grant_ready(sessions, config) -> list[int]:
    """Grant every waiting prayer whose document now has its file; their webhooks go out."""
    with sessions() as session:
        ready = session.scalars(select(ServicePrayer.id).join(DocumentRow, DocumentRow.id == ServicePrayer.document_id)
                                .where(ServicePrayer.status == WAITING, DocumentRow.filepath.is_not(None))).all()
        granted = []
        for prayer_id in ready:
            # conditional: two service processes settling at once grant (and notify) once
            done = session.execute(update(ServicePrayer).where(ServicePrayer.id == prayer_id,
                                                               ServicePrayer.status == WAITING)
                                   .values(status=GRANTED, granted_at=utcnow()))
            if done.rowcount == 1:
                granted.append(prayer_id)
        session.commit()
    for prayer_id in granted:
        threading.Thread(target=deliver_grant, args=(sessions, config, prayer_id), daemon=True,
                         name=f"prayer-webhook-{prayer_id}").start()
    return granted


def deliver_grant(sessions, config, prayer_id: int) -> bool:
    from pacer_spiders.service.serialize import prayer_json
    from pacer_spiders.service.webhooks import post_signed, user_webhook_key

    with sessions() as session:
        prayer = session.get(ServicePrayer, prayer_id)
        if prayer is None or not prayer.webhook_url or prayer.webhook_delivered_at is not None:
            return False
        document = session.get(DocumentRow, prayer.document_id)
        idempotency_key = f"prayer-{prayer.id}-granted"
        body = {"idempotency_key": idempotency_key,
                "webhook": {"event_type": 2, "version": 1, "date_created": prayer.granted_at.isoformat()},
                "payload": prayer_json(prayer, document)}
        url, key = prayer.webhook_url, user_webhook_key(config.secret, prayer.user_id)
    ok = post_signed(url, json.dumps(body).encode(), key, idempotency_key, config)
    if ok:
        with sessions() as session:
            session.execute(update(ServicePrayer).where(ServicePrayer.id == prayer_id)
                            .values(webhook_delivered_at=utcnow()))
            session.commit()
    return ok
