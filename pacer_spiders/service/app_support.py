"""What the API, the runner and the distributed workers share: the webhook sender of the service's fetches."""

from __future__ import annotations

from pacer_spiders.distributed.work import WebhookSender
from pacer_spiders.service.webhooks import signature_headers, user_webhook_key


class ServiceWebhookSender(WebhookSender):
    """CourtListener's shape, ``{"webhook": {...}, "payload": <the fetch>}``, signed with the owner's key.

    A work request not made through the API (``pacer-spiders enqueue``) keeps the plain shape, unsigned.
    """

    def __init__(self, sessions, secret: str, **options):
        super().__init__(sessions, **options)
        self.secret = secret

    def _fetch(self, work_request_id: int):
        from pacer_spiders.service.models import ServiceFetch

        with self.sessions() as session:
            return session.get(ServiceFetch, work_request_id)

    def payload(self, row) -> dict:
        from pacer_spiders.service.serialize import fetch_json

        fetch = self._fetch(row.id)
        if fetch is None:
            return super().payload(row)
        key = f"work-request-{row.id}-{row.attempts}-{row.status}"
        return {"idempotency_key": key,
                "webhook": {"event_type": 1, "version": 1, "date_created": row.updated_at.isoformat()},
                "payload": fetch_json(row, fetch)}

    def signature(self, work_request_id: int, body: bytes) -> dict:
        fetch = self._fetch(work_request_id)
        if fetch is None:
            return {}
        return signature_headers(user_webhook_key(self.secret, fetch.user_id), body)


def service_webhook_sender(config, sessions) -> ServiceWebhookSender:
    return ServiceWebhookSender(sessions, config.secret, attempts=config.webhook_attempts,
                                backoff=config.webhook_backoff, allow_private=config.allow_private_webhooks)
