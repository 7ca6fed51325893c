"""What the API and the runner share: the webhook sender of the service's fetches."""

from __future__ import annotations

from pacer_spiders.distributed.work import WebhookSender
from pacer_spiders.service.webhooks import signer_for


class ServiceWebhookSender(WebhookSender):
    """CourtListener's webhook shape: ``{"webhook": {...}, "payload": <the fetch>}``, signed."""

    def __init__(self, config, sessions, **kwargs):
        from pacer_spiders.service.models import ServiceFetch

        def owner(work_request_id):
            with sessions() as session:
                fetch = session.get(ServiceFetch, work_request_id)
                return fetch.user_id if fetch else None

        super().__init__(sessions, signer=signer_for(config.secret, owner),
                         allow_private=config.allow_private_webhooks, **kwargs)

    def payload(self, row) -> dict:
        from pacer_spiders.service.serialize import fetch_json
        from pacer_spiders.service.models import ServiceFetch

        with self.sessions() as session:
            fetch = session.get(ServiceFetch, row.id)
        key = f"work-request-{row.id}-{row.attempts}-{row.status}"
        return {"idempotency_key": key,
                "webhook": {"event_type": 1, "version": 1, "date_created": row.updated_at.isoformat()},
                "payload": fetch_json(row, fetch)}


def service_webhook_sender(config, sessions) -> ServiceWebhookSender:
    return ServiceWebhookSender(config, sessions, attempts=config.webhook_attempts,
                                backoff=config.webhook_backoff)
