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
    open_ = (WAITING, UNAVAILABLE)
    with sessions() as session:
        ready = session.scalars(select(ServicePrayer.id).join(DocumentRow, DocumentRow.id == ServicePrayer.document_id)
                                .where(ServicePrayer.status.in_(open_), DocumentRow.filepath.is_not(None))).all()
        granted = _move(session, ready, open_, status=GRANTED, granted_at=utcnow())
    _notify(sessions, config, granted, deliver_grant)
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
        told = _move(session, waiting, (WAITING,), status=UNAVAILABLE)
    for prayer_id in told:
        logger.info("prayer %s: PACER will not sell its document (%s)", prayer_id, refusal)
    _notify(sessions, config, told, deliver_unavailable)
    return told


def _move(session, prayer_ids, from_statuses, **values) -> list[int]:
    """Set ``values`` on each prayer still in ``from_statuses``, and commit; the ids that moved.
    Conditional, one by one: two service processes settling at once move (and notify) each once."""
    moved = []
    for prayer_id in prayer_ids:
        done = session.execute(update(ServicePrayer).where(ServicePrayer.id == prayer_id,
                                                           ServicePrayer.status.in_(from_statuses)).values(**values))
        if done.rowcount == 1:
            moved.append(prayer_id)
    session.commit()
    return moved


def _notify(sessions, config, prayer_ids, deliver) -> None:
    for prayer_id in prayer_ids:
        threading.Thread(target=deliver, args=(sessions, config, prayer_id), daemon=True,
                         name=f"prayer-webhook-{prayer_id}").start()


def _post_event(sessions, config, prayer_id: int, event_type: int, name: str, wanted_status: int,
                when=None) -> bool:
    """POST the prayer's webhook for ``event_type`` (2 granted, 3 unavailable) when it is still in
    ``wanted_status`` and not yet delivered; True when the receiver took it."""
    from pacer_spiders.service.serialize import prayer_json
    from pacer_spiders.service.webhooks import post_signed, user_webhook_key

    with sessions() as session:
        prayer = session.get(ServicePrayer, prayer_id)
        if (prayer is None or not prayer.webhook_url or prayer.status != wanted_status
                or prayer.webhook_delivered_at is not None):
            return False
        document = session.get(DocumentRow, prayer.document_id)
        idempotency_key = f"prayer-{prayer.id}-{name}"
        body = {"idempotency_key": idempotency_key,
                "webhook": {"event_type": event_type, "version": 1,
                            "date_created": (when(prayer) if when else utcnow()).isoformat()},
                "payload": prayer_json(prayer, document)}
        url, key = prayer.webhook_url, user_webhook_key(config.secret, prayer.user_id)
    return post_signed(url, json.dumps(body).encode(), key, idempotency_key, config)


def deliver_unavailable(sessions, config, prayer_id: int) -> bool:
    """The prayer's webhook, event 3: the document cannot be bought.  Not marked delivered (that
    mark belongs to the grant, which may still come with an upload)."""
    return _post_event(sessions, config, prayer_id, 3, "unavailable", UNAVAILABLE)


def deliver_grant(sessions, config, prayer_id: int) -> bool:
    ok = _post_event(sessions, config, prayer_id, 2, "granted", GRANTED, when=lambda prayer: prayer.granted_at)
    if ok:
        with sessions() as session:
            session.execute(update(ServicePrayer).where(ServicePrayer.id == prayer_id)
                            .values(webhook_delivered_at=utcnow()))
            session.commit()
    return ok
