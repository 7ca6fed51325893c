"""A shared duplicate filter keyed on what PACER request it is, not on its URL.

PACER URLs and form bodies carry session nonces and multipart boundaries, so two requests for the
same docket rarely have the same URL fingerprint.  A request that names its court and its case or
document (in ``meta`` or ``cb_kwargs``) is identified by those, by the step that asks for it
(the callback) and by the work request it belongs to; any other request falls back to
scrapy-redis' URL fingerprint.  Fingerprints stay in Redis when a worker stops (never cleared on
close), so a restarted worker does not buy again what another already asked for.
"""

from __future__ import annotations

import hashlib
import json

from scrapy_redis.dupefilter import RFPDupeFilter

# What names the PACER object a request is about.
IDENTITY_KEYS = ("pacer_case_id", "pacer_doc_id", "docket_number")
# What else makes two requests for that object different asks.
QUALIFIER_KEYS = ("work_request_id", "work_attempt", "report_type", "attachment_number", "document_number",
                  "date_from", "date_to", "documents_numbered_from", "documents_numbered_to")


def request_fields(request) -> dict:
    """``meta`` then ``cb_kwargs`` (and a nested ``context`` dict) merged: what a request says it is."""
    fields = {}
    for source in (request.meta, request.cb_kwargs):
        context = source.get("context")
        if isinstance(context, dict):
            fields.update({k: v for k, v in context.items() if v not in (None, "")})
        fields.update({k: v for k, v in source.items() if k != "context" and v not in (None, "")})
    return fields


def pacer_identity(request) -> dict | None:
    """``{court_id, step, pacer_case_id|pacer_doc_id|docket_number, ...}``, or None when unnamed."""
    fields = request_fields(request)
    court = fields.get("court_id") or getattr(fields.get("court"), "court_id", None)
    if not court or not any(fields.get(key) for key in IDENTITY_KEYS):
        return None
    callback = request.callback
    step = callback if isinstance(callback, str) else getattr(callback, "__name__", None) or "parse"
    identity = {"court_id": str(court), "step": step, "method": request.method}
    for key in IDENTITY_KEYS + QUALIFIER_KEYS:
        if fields.get(key) not in (None, ""):
            identity[key] = str(fields[key])
    return identity


class PacerDupeFilter(RFPDupeFilter):
    """scrapy-redis' Redis set of fingerprints, with PACER identities as fingerprints."""

    def request_fingerprint(self, request) -> str:
        identity = pacer_identity(request)
        if identity is None:
            return super().request_fingerprint(request)
        return hashlib.sha1(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def close(self, reason=""):
        # Shared by every worker: one worker stopping must not forget what the others asked for.
        pass
