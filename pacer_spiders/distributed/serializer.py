"""JSON for requests kept in a shared Redis: no pickle, so whoever can write to Redis cannot run code.

A request becomes ``Request.to_dict()`` (callbacks and errbacks by spider method name), with bytes
as ``{"$b64": ...}``, mappings whose keys are not strings (headers) as ``{"$map": [[k, v], ...]}``,
and the few project values spiders pass along by name: a court as ``{"$court": id}`` (rebuilt
from the court registry), dates as ``{"$date": iso}`` and ``{"$datetime": iso}``.
Decoding accepts only request classes listed in ``ALLOWED_REQUEST_CLASSES`` (plus the
``PACER_REQUEST_CLASSES`` setting): ``request_from_dict`` would otherwise import whatever class
path the queue names.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

from scrapy import Request
from scrapy.utils.request import request_from_dict

ALLOWED_REQUEST_CLASSES = frozenset(
    {
        "scrapy.http.request.Request",
        "scrapy.Request",
        "scrapy.http.Request",
        "scrapy.http.request.form.FormRequest",
        "scrapy.http.request.json_request.JsonRequest",
    }
)


class UnsafeRequestError(ValueError):
    """A queued entry that names a class or shape this worker will not build."""


def _encode(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            if len(value) == 1 and next(iter(value)) in _TAGS:
                return {"$map": [[key, _encode(item)] for key, item in value.items()]}
            return {key: _encode(item) for key, item in value.items()}
        return {"$map": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    from pacer_spiders.courts import Court

    if isinstance(value, Court):
        return {"$court": value.court_id}
    raise TypeError(f"cannot queue a {type(value).__name__} in a request (JSON only): {value!r:.80}")


_TAGS = ("$b64", "$map", "$date", "$datetime", "$court")


def _decode(value):
    if isinstance(value, dict):
        if len(value) == 1 and "$b64" in value:
            return base64.b64decode(value["$b64"])
        if len(value) == 1 and "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if len(value) == 1 and "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if len(value) == 1 and "$court" in value:
            from pacer_spiders.courts import get_court

            return get_court(value["$court"])
        if len(value) == 1 and "$map" in value:
            return {_decode(key): _decode(item) for key, item in value["$map"]}
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def dumps(obj) -> str:
    """JSON text of a request dict (or any JSON-able value with bytes); TypeError for the rest."""
    return json.dumps(_encode(obj), separators=(",", ":"), sort_keys=True)


def loads(text: str | bytes):
    """The value ``dumps`` wrote."""
    return _decode(json.loads(text))


def request_to_json(request: Request, spider=None) -> str:
    """A request as JSON text; its callbacks must be methods of ``spider`` (or None)."""
    return dumps(request.to_dict(spider=spider))


def request_from_json(text: str | bytes, spider=None, allowed_classes=ALLOWED_REQUEST_CLASSES) -> Request:
    """Rebuild a request; UnsafeRequestError when it names a class outside ``allowed_classes``."""
    try:
        data = loads(text)
    except (ValueError, TypeError) as exc:
        raise UnsafeRequestError(f"queued request is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise UnsafeRequestError("queued request has no url")
    request_class = data.get("_class")
    if request_class is not None and request_class not in allowed_classes:
        raise UnsafeRequestError(f"queued request names class {request_class!r}, not an allowed request class")
    for name in ("callback", "errback"):
        method = data.get(name)
        if method is not None and (not isinstance(method, str) or method.startswith("_")):
            # only public spider methods, named: a queue entry must not reach private internals
            raise UnsafeRequestError(f"queued request has an unusable {name} {method!r}")
    return request_from_dict(data, spider=spider)


# A response kept for a request whose holder died (see DistributedScheduler): replayed, not bought again.
REPLAY_META = "pacer_replay"
# Never kept: a session token must not reach Redis.
_SECRET_HEADERS = {b"set-cookie", b"cookie", b"authorization"}


def response_to_json(response, spill_settings=None) -> str:
    """A received response as JSON; with ``spill_settings``, its body goes to SOURCE_STORE (large
    PDFs: ``PACER_REPLAY_MAX_BYTES``) and the JSON says where."""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _SECRET_HEADERS}
    data = {"url": response.url, "status": response.status, "headers": headers, "body": response.body}
    if spill_settings is not None:
        from pacer_spiders import source_store

        _, data["spilled"] = source_store.keep(spill_settings, response.body, None)
        data["body"] = b""
    return dumps(data)


def spilled_response(text: str, settings) -> str:
    """``text`` with its body back from SOURCE_STORE when it was spilled there."""
    if '"spilled"' not in text:
        return text
    from pacer_spiders import source_store

    data = loads(text)
    if not data.get("spilled"):
        return text
    data["body"] = source_store.read(settings, data.pop("spilled"))
    return dumps(data)


def response_from_json(text: str, request):
    from scrapy.http import Headers
    from scrapy.responsetypes import responsetypes

    data = loads(text)
    headers = Headers(data["headers"])
    cls = responsetypes.from_args(headers=headers, url=data["url"], body=data["body"])
    return cls(url=data["url"], status=int(data["status"]), headers=headers, body=data["body"],
               request=request, flags=["replayed"])
