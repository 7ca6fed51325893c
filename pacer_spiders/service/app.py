"""The FastAPI application: ``create_app(config)``; ``pacer-spiders serve`` runs it on uvicorn."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import json
import logging
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from pacer_spiders.courts import UnknownCourtError, all_courts, get_court, normalize_pacer_doc_id
from pacer_spiders.db import make_engine, upgrade_database
from pacer_spiders.db.models import (
    AttorneyRow,
    CrawlRunRow,
    DocketEntryRow,
    DocketRow,
    DocumentRow,
    PartyAttorneyRow,
    PartyRow,
)
from pacer_spiders.db.work_requests import AWAITING, OPEN_STATUSES, STATUS_NAMES, WorkRequest, utcnow
from pacer_spiders.distributed.work import dedupe_key
from pacer_spiders.login import LoginFailed
from pacer_spiders.service import clock, security, serialize
from pacer_spiders.service.models import (
    ServiceFetch,
    ServicePrayer,
    ServiceQueueEntry,
    ServiceUpload,
    ServiceUser,
)
from pacer_spiders.service.prayers import GRANTED, WAITING
from pacer_spiders.service.runner import UPLOAD_TYPES, Runner
from pacer_spiders.service.webhooks import destination_problem

logger = logging.getLogger(__name__)

API = "/api/rest/v3"
FETCH_OPTIONS = {  # CourtListener's field -> our work-request parameter (the docket spider's options)
    "show_parties_and_counsel": "show_parties_and_counsel",
    "show_terminated_parties": "show_terminated_parties",
    "show_list_of_member_cases": "show_list_of_member_cases",
    "de_date_start": "date_from",
    "de_date_end": "date_to",
    "de_number_start": "documents_numbered_from",
    "de_number_end": "documents_numbered_to",
}
FETCH_FIELDS = {
    "request_type": "integer, required: 1 docket, 2 PDF, 3 attachment page",
    "docket": "integer: our docket id (request_type 1)",
    "docket_number": "string, with court",
    "pacer_case_id": "string, with court",
    "court": "string: a court id (GET /api/rest/v3/courts/)",
    "recap_document": "integer: our document id (request_type 2 or 3)",
    "pacer_doc_id": "string, with court (request_type 2 or 3)",
    **{name: "docket option of PACER's report" for name in FETCH_OPTIONS},
    "client_code": "string: PACER client code",
    "pacer_username": "string, write-only: logged in at once, never stored",
    "pacer_password": "string, write-only: logged in at once, never stored",
    "pacer_totp_secret": "string, write-only: for accounts with multi-factor authentication",
    "webhook_url": "string: POSTed (signed) when the request ends",
}
MAX_UPLOAD_BYTES = 200 * 2**20  # PACER's own documents stay far below
CREDENTIAL_FIELDS = ("pacer_username", "pacer_password", "pacer_totp_secret")


class ApiError(HTTPException):
    def __init__(self, status: int, detail):
        super().__init__(status_code=status, detail=detail)


def bad(field: str, message: str) -> ApiError:
    return ApiError(400, {field: [message]})


class Throttle:
    """At most ``rate`` requests per ``period`` seconds per token (a sliding window in memory)."""

    def __init__(self, spec: str):
        count, _, unit = spec.partition("/")
        self.rate = int(count)
        self.period = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit.strip() or "minute"]
        self.calls: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self.lock = threading.Lock()

    def wait_needed(self, key: str) -> float:
        now = time.monotonic()
        with self.lock:
            calls = self.calls[key]
            while calls and calls[0] <= now - self.period:
                calls.popleft()
            if len(calls) >= self.rate:
                return calls[0] + self.period - now
            calls.append(now)
            return 0.0


def create_app(config, start_runner: bool = True) -> FastAPI:
    engine = make_engine(config.database_url)
    upgrade_database(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    throttle = Throttle(config.throttle)
    runner = Runner(config, sessions)

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app):
        if start_runner:
            runner.start()
        yield
        runner.stop()
        engine.dispose()

    app = FastAPI(title="pacer_spiders service", version="1", lifespan=lifespan,
                  description="CourtListener-compatible RECAP Fetch, Upload, Prayers and query APIs over our archive; "
                              "UniCourt-style updated cases and source files.")
    app.state.config, app.state.sessions, app.state.runner = config, sessions, runner

    @app.exception_handler(ApiError)
    async def api_error(_request, exc: ApiError):
        headers = getattr(exc, "headers", None)
        detail = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
        return JSONResponse(detail, status_code=exc.status_code, headers=headers)

    # -- authentication and throttling ---------------------------------------------------------
    def current_user(request: Request) -> ServiceUser:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            missing = ApiError(401, "Authentication credentials were not provided.")
            missing.headers = {"WWW-Authenticate": "Token"}
            raise missing
        if scheme.lower() != "token" or not token.strip():
            raise ApiError(403, "Invalid token header: use 'Authorization: Token <token>'.")
        token = token.strip()
        with sessions() as session:
            user = security.user_of_token(session, token)
        if user is None:
            raise ApiError(403, "Invalid token.")
        wait = throttle.wait_needed(security.token_digest(token))
        if wait > 0:
            error = ApiError(429, f"Request was throttled. Expected available in {int(wait) + 1} seconds.")
            error.headers = {"Retry-After": str(int(wait) + 1)}
            raise error
        return user

    User = Depends(current_user)

    # -- helpers -------------------------------------------------------------------------------
    async def body_of(request: Request) -> dict:
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            try:
                data = await request.json()
            except ValueError:
                raise ApiError(400, "the body is not valid JSON") from None
            if not isinstance(data, dict):
                raise ApiError(400, "the body must be a JSON object")
            return data
        form = await request.form()
        return {k: v for k, v in form.items()}

    def known_court(value, field="court") -> str:
        if not value:
            raise bad(field, "This field is required.")
        try:
            return get_court(str(value)).court_id
        except UnknownCourtError as exc:
            raise bad(field, str(exc)) from None

    def integer(data, name, required=False):
        value = data.get(name)
        if value in (None, ""):
            if required:
                raise bad(name, "This field is required.")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad(name, f"A valid integer is required, not {str(value)[:40]!r}.") from None

    def page_of(request: Request, query, shape, session):
        try:
            page = max(1, int(request.query_params.get("page", 1)))
            size = min(100, max(1, int(request.query_params.get("page_size", 20))))
        except ValueError:
            raise ApiError(400, "page and page_size must be integers") from None
        count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = session.execute(query.limit(size).offset((page - 1) * size)).all()

        def link(number):
            params = dict(request.query_params, page=number)
            return f"{request.url.scheme}://{request.url.netloc}{request.url.path}?{urlencode(params)}"

        return {"count": count, "next": link(page + 1) if page * size < count else None,
                "previous": link(page - 1) if page > 1 else None, "results": [shape(*row) for row in rows]}

    def modified_filters(request: Request, column):
        clauses = []
        for suffix, op in (("", "__eq__"), ("__gte", "__ge__"), ("__gt", "__gt__"), ("__lte", "__le__"),
                           ("__lt", "__lt__")):
            value = request.query_params.get(f"date_modified{suffix}")
            if value:
                try:
                    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    raise bad(f"date_modified{suffix}", "Enter a valid date/time (ISO 8601).") from None
                if when.tzinfo is not None:  # the archive keeps naive UTC
                    when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
                clauses.append(getattr(column, op)(when))
        return clauses

    def file_url(request: Request, filepath: str | None) -> str | None:
        if not filepath:
            return None
        store = config.files_store.rstrip("/")
        if store.startswith("s3://"):
            from pacer_spiders import source_store
            from pacer_spiders.settings_access import project_settings

            return source_store.shareable(project_settings(), f"{store}/{filepath}", config.link_seconds)
        link, _ = security.sign_link(config, f"{API}/files/", {"path": filepath})
        return f"{request.url.scheme}://{request.url.netloc}{link}"

    def absolute(request: Request, link: str) -> str:
        return f"{request.url.scheme}://{request.url.netloc}{link}"

    # -- fetch ---------------------------------------------------------------------------------
    def fetch_target(session, data: dict, request_type: int) -> tuple[str, str, dict, dict]:
        """(kind, court, work-request params, fields kept) of a fetch, or 400."""
        kept = {}
        if request_type == 1:
            docket_id = integer(data, "docket")
            if docket_id is not None:
                docket = session.scalars(select(DocketRow).where(DocketRow.id == docket_id)).first()
                if docket is None:
                    raise bad("docket", f"Invalid pk \"{docket_id}\" - object does not exist.")
                court, kept["docket"] = docket.court_id, docket.id
                params = {"pacer_case_id": docket.pacer_case_id} if docket.pacer_case_id else \
                    {"docket_number": docket.docket_number}
            else:
                court = known_court(data.get("court"))
                if data.get("pacer_case_id"):
                    params = {"pacer_case_id": str(data["pacer_case_id"]).strip()}
                elif data.get("docket_number"):
                    params = {"docket_number": str(data["docket_number"]).strip()}
                else:
                    raise ApiError(400, {"non_field_errors": [
                        "A docket fetch needs docket, or docket_number and court, or pacer_case_id and court."]})
            for field, name in FETCH_OPTIONS.items():
                if data.get(field) not in (None, ""):
                    params[name] = str(data[field]).strip()
            return "docket", court, params, kept
        kind = "pdf" if request_type == 2 else "attachment_page"
        document_id = integer(data, "recap_document")
        if document_id is not None:
            found = session.execute(select(DocumentRow, DocketRow).join(
                DocketEntryRow, DocketEntryRow.id == DocumentRow.docket_entry_id).join(
                DocketRow, DocketRow.id == DocketEntryRow.docket_id).where(DocumentRow.id == document_id)).first()
            if found is None:
                raise bad("recap_document", f"Invalid pk \"{document_id}\" - object does not exist.")
            document, docket = found
            if document.is_sealed:
                raise bad("recap_document", "This document is sealed: PACER does not sell it.")
            if not document.pacer_doc_id:
                raise bad("recap_document", "This document has no pacer_doc_id: it cannot be bought.")
            kept["recap_document"] = document.id
            params = {"pacer_doc_id": document.pacer_doc_id}
            if docket.pacer_case_id:
                params["pacer_case_id"] = docket.pacer_case_id
            return kind, document.court_id, params, kept
        court = known_court(data.get("court"))
        if not data.get("pacer_doc_id"):
            raise ApiError(400, {"non_field_errors": [
                "A PDF or attachment page fetch needs recap_document, or pacer_doc_id and court."]})
        params = {"pacer_doc_id": normalize_pacer_doc_id(str(data["pacer_doc_id"]).strip(), court)}
        if data.get("pacer_case_id"):
            params["pacer_case_id"] = str(data["pacer_case_id"]).strip()
        return kind, court, params, kept

    @app.options(f"{API}/recap-fetch/")
    def fetch_options():
        return {"name": "Recap Fetch", "renders": ["application/json"], "parses": [
            "application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
            "actions": {"POST": {name: {"help_text": text} for name, text in FETCH_FIELDS.items()}},
            "status": {str(code): name for code, name in STATUS_NAMES.items()}}

    @app.post(f"{API}/recap-fetch/", status_code=201)
    async def fetch_create(request: Request, user: ServiceUser = User):
        data = await body_of(request)
        credentials = {name: str(data.pop(name)) for name in CREDENTIAL_FIELDS if data.get(name)}
        try:
            request_type = integer(data, "request_type", required=True)
            if request_type not in serialize.REQUEST_TYPES:
                raise bad("request_type", f"\"{request_type}\" is not a valid choice (1 docket, 2 PDF, 3 attachment page).")
            webhook_url = data.get("webhook_url") or None
            problem = destination_problem(webhook_url, config.allow_private_webhooks)
            if problem:
                raise bad("webhook_url", problem)
            if credentials and not ("pacer_username" in credentials and "pacer_password" in credentials):
                raise ApiError(400, {"non_field_errors": ["Send pacer_username and pacer_password together."]})
            import anyio

            return await anyio.to_thread.run_sync(
                lambda: _create_fetch(request_type, data, credentials, webhook_url, user))
        finally:
            credentials.clear()

    def _create_fetch(request_type, data, credentials, webhook_url, user):
        from pacer_spiders.login import accounts_from_settings
        from pacer_spiders.settings_access import project_settings

        with sessions() as session:
            kind, court, params, kept = fetch_target(session, data, request_type)
        # with Redis the workers hold the deployment's accounts, not this process
        if not credentials and not config.redis_url and not accounts_from_settings(project_settings()):
            raise ApiError(400, {"non_field_errors": [
                "No PACER account: send pacer_username and pacer_password (this deployment has none of its own)."]})
        token = None
        if credentials:
            from pacer_spiders.service.credentials import pacer_login

            try:
                token = pacer_login(config.pacer_settings.get("PACER_LOGIN_URL")
                                    or project_settings().get("PACER_LOGIN_URL"),
                                    credentials.get("pacer_username"), credentials.get("pacer_password"),
                                    credentials.get("pacer_totp_secret"), data.get("client_code"))
            except LoginFailed as failure:
                raise ApiError(400, {"pacer_username": [str(failure)]}) from None
            finally:
                credentials.clear()
        fields = {**kept, "credentials": token is not None}
        if data.get("client_code"):
            fields["client_code"] = str(data["client_code"])[:64]
        key = f"user:{user.id}:" + dedupe_key(kind, court, params)
        with sessions() as session:
            existing = session.scalars(select(WorkRequest).join(ServiceFetch, ServiceFetch.work_request_id == WorkRequest.id)
                                       .where(WorkRequest.dedupe_key == key, WorkRequest.status.in_(OPEN_STATUSES),
                                              ServiceFetch.user_id == user.id)).first()
            if existing is not None and token is None:
                return JSONResponse(serialize.fetch_json(existing, session.get(ServiceFetch, existing.id)), 200)
            # the outbox: the request, its owner, its session and its queue entry in one transaction
            row = WorkRequest(kind=kind, court_id=court, params=params, dedupe_key=key[:400], status=AWAITING,
                              webhook_url=webhook_url, source="service", bulk=False)
            session.add(row)
            session.flush()
            fetch = ServiceFetch(work_request_id=row.id, user_id=user.id, request_type=request_type, fields=fields)
            session.add(fetch)
            if token is not None:
                security.keep_session(session, config, row.id, token, fields.get("client_code"))
            session.add(ServiceQueueEntry(kind=kind, work_request_id=row.id))
            session.commit()
            return JSONResponse(serialize.fetch_json(row, fetch), 201)

    def own_fetches(user):
        return (select(WorkRequest, ServiceFetch).join(ServiceFetch, ServiceFetch.work_request_id == WorkRequest.id)
                .where(ServiceFetch.user_id == user.id))

    @app.get(f"{API}/recap-fetch/")
    def fetch_list(request: Request, user: ServiceUser = User):
        query = own_fetches(user).order_by(WorkRequest.id.desc())
        status = request.query_params.get("status")
        if status:
            query = query.where(WorkRequest.status == integer({"status": status}, "status"))
        with sessions() as session:
            return page_of(request, query, serialize.fetch_json, session)

    @app.get(f"{API}/recap-fetch/{{fetch_id}}/")
    def fetch_detail(fetch_id: int, user: ServiceUser = User):
        with sessions() as session:
            found = session.execute(own_fetches(user).where(WorkRequest.id == fetch_id)).first()
            if found is None:
                raise ApiError(404, "Not found.")
            return serialize.fetch_json(*found)

    # -- reads ---------------------------------------------------------------------------------
    @app.get(f"{API}/courts/")
    def courts(user: ServiceUser = User):
        rows = [{"id": c.court_id, "pacer_subdomain": c.pacer_subdomain, "full_name": c.name,
                 "jurisdiction": c.kind} for c in all_courts()]
        return {"count": len(rows), "next": None, "previous": None, "results": rows}

    def docket_filters(request: Request, query):
        params = request.query_params
        if params.get("court"):
            query = query.where(DocketRow.court_id == params["court"])
        if params.get("pacer_case_id"):
            query = query.where(DocketRow.pacer_case_id == params["pacer_case_id"])
        if params.get("docket_number"):
            query = query.where(DocketRow.docket_number == params["docket_number"])
        for name in ("docket", "id"):
            if params.get(name):
                query = query.where(DocketRow.id == integer(params, name))
        return query

    @app.get(f"{API}/dockets/")
    def dockets(request: Request, user: ServiceUser = User):
        query = docket_filters(request, select(DocketRow)).where(*modified_filters(request, DocketRow.updated_at))
        with sessions() as session:
            return page_of(request, query.order_by(DocketRow.id), serialize.docket_json, session)

    @app.get(f"{API}/dockets/{{docket_id}}/")
    def docket_detail(docket_id: int, user: ServiceUser = User):
        with sessions() as session:
            row = session.get(DocketRow, docket_id)
            if row is None:
                raise ApiError(404, "Not found.")
            return serialize.docket_json(row)

    def docket_rows(request: Request, row_class, shape, modified):
        """A page of rows of one docket table, filtered by docket, court, case and date modified."""
        query = docket_filters(request, select(row_class).join(DocketRow, DocketRow.id == row_class.docket_id))
        query = query.where(*modified_filters(request, modified))
        with sessions() as session:
            return page_of(request, query.order_by(row_class.id), lambda row: shape(session, row), session)

    @app.get(f"{API}/docket-entries/")
    def entries(request: Request, user: ServiceUser = User):
        return docket_rows(request, DocketEntryRow, lambda _s, row: serialize.entry_json(row), DocketEntryRow.updated_at)

    @app.get(f"{API}/recap-documents/")
    def documents(request: Request, user: ServiceUser = User):
        query = docket_filters(request, select(DocumentRow, DocketRow.id).join(
            DocketEntryRow, DocketEntryRow.id == DocumentRow.docket_entry_id).join(
            DocketRow, DocketRow.id == DocketEntryRow.docket_id))
        if request.query_params.get("pacer_doc_id"):
            query = query.where(DocumentRow.pacer_doc_id == request.query_params["pacer_doc_id"])
        if request.query_params.get("is_available") in ("true", "1"):
            query = query.where(DocumentRow.filepath.is_not(None))
        query = query.where(*modified_filters(request, DocumentRow.updated_at))
        with sessions() as session:
            return page_of(request, query.order_by(DocumentRow.id),
                           lambda doc, docket_id: serialize.document_json(doc, docket_id, file_url(request, doc.filepath)),
                           session)

    @app.get(f"{API}/parties/")
    def parties(request: Request, user: ServiceUser = User):
        def shape(session, party):
            links = session.execute(select(PartyAttorneyRow).where(PartyAttorneyRow.party_id == party.id)).scalars()
            return serialize.party_json(party, [{"attorney": link.attorney_id, "roles": link.roles or []}
                                                for link in links])

        return docket_rows(request, PartyRow, shape, DocketRow.updated_at)

    @app.get(f"{API}/attorneys/")
    def attorneys(request: Request, user: ServiceUser = User):
        return docket_rows(request, AttorneyRow, lambda _s, row: serialize.attorney_json(row), DocketRow.updated_at)

    def signed_params(request: Request, path: str) -> dict:
        """The query of a signed link, or 403 (not genuine) / 410 (expired)."""
        params = dict(request.query_params)
        problem = security.check_link(config, path, params)
        if problem:
            raise ApiError(410 if "expired" in problem else 403, problem)
        return params

    @app.get(f"{API}/files/")
    def file_download(request: Request):
        params = signed_params(request, f"{API}/files/")
        return _local_file(config.files_store, params.get("path", ""))

    # -- UniCourt-style: cases updated on a day, a case's source ------------------------------
    @app.get(f"{API}/cases/updated/")
    def cases_updated(request: Request, date: str | None = None, user: ServiceUser = User):
        try:
            day = dt.date.fromisoformat(date or "")
        except ValueError:
            raise bad("date", "Use YYYY-MM-DD.") from None
        link, expires = security.sign_link(config, f"{API}/cases/updated/csv/", {"date": day.isoformat()})
        return {"date": day.isoformat(), "url": absolute(request, link), "expires_at": expires.isoformat()}

    @app.get(f"{API}/cases/updated/csv/")
    def cases_updated_csv(request: Request):
        params = signed_params(request, f"{API}/cases/updated/csv/")
        from pacer_spiders.db.exports import UPDATED_FIELDS, updated_on

        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=UPDATED_FIELDS)
        writer.writeheader()
        for row in updated_on(engine, dt.date.fromisoformat(params["date"])):
            writer.writerow(row)
        return Response(out.getvalue(), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="cases-updated-{params["date"]}.csv"'})

    @app.get(f"{API}/cases/{{case_id}}/source/")
    def case_source(request: Request, case_id: int, user: ServiceUser = User):
        from pacer_spiders import source_store
        from pacer_spiders.db.exports import newest_source
        from pacer_spiders.settings_access import project_settings

        page = newest_source(engine, case_id)
        if page is None or not page.get("path"):
            raise ApiError(404, "No source page of this case.")
        where = page["path"]
        if where.startswith("s3://"):
            url = source_store.shareable(project_settings(), where, config.link_seconds)
            expires = clock.now() + dt.timedelta(seconds=config.link_seconds)
        else:
            link, expires = security.sign_link(config, f"{API}/sources/", {"case": case_id, "sha1": page["sha1"]})
            url = absolute(request, link)
        return {"case_id": case_id, "sha1": page["sha1"], "fetched_at": page.get("fetched_at"), "url": url,
                "expires_at": expires.isoformat()}

    @app.get(f"{API}/sources/")
    def source_download(request: Request):
        from pacer_spiders.db.exports import newest_source

        params = signed_params(request, f"{API}/sources/")
        page = newest_source(engine, int(params["case"]))
        if page is None or page["sha1"] != params.get("sha1"):
            raise ApiError(404, "No such source page.")
        return Response(Path(page["path"]).read_bytes(), media_type=page.get("content_type") or "text/html")

    # -- uploads -------------------------------------------------------------------------------
    @app.post(f"{API}/recap/", status_code=201)
    async def upload_create(request: Request, user: ServiceUser = User):
        form = await request.form()
        data = {k: v for k, v in form.items() if isinstance(v, str)}
        upload_type = integer(data, "upload_type", required=True)
        if upload_type not in UPLOAD_TYPES:
            raise bad("upload_type", f"upload_type {upload_type} is not processed here: one of "
                      + ", ".join(f"{n} ({t})" for n, t in UPLOAD_TYPES.items()))
        court = known_court(data.get("court"))
        file = form.get("filepath_local")
        if file is None or isinstance(file, str):
            raise bad("filepath_local", "No file was submitted.")
        body = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(body) > MAX_UPLOAD_BYTES:
            raise ApiError(413, f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
        if not body:
            raise bad("filepath_local", "The submitted file is empty.")
        if UPLOAD_TYPES[upload_type] == "pdf" and not data.get("pacer_doc_id"):
            raise bad("pacer_doc_id", "A PDF upload needs pacer_doc_id.")
        attachment = integer(data, "attachment_number")
        spool = Path(config.spool_dir)
        spool.mkdir(parents=True, exist_ok=True)
        path = spool / f"{secrets.token_hex(12)}{Path(file.filename or '').suffix[:8]}"
        path.write_bytes(body)
        with sessions() as session:
            row = ServiceUpload(user_id=user.id, upload_type=upload_type, court_id=court,
                                pacer_case_id=data.get("pacer_case_id") or None,
                                pacer_doc_id=data.get("pacer_doc_id") or None,
                                document_number=data.get("document_number") or None, attachment_number=attachment,
                                debug=str(data.get("debug", "")).lower() in ("1", "true", "yes", "on"),
                                spool_path=str(path), status=AWAITING)
            session.add(row)
            session.flush()
            session.add(ServiceQueueEntry(kind="upload", upload_id=row.id))
            session.commit()
            return JSONResponse(serialize.upload_json(row), 201)

    @app.get(f"{API}/recap/")
    def upload_list(request: Request, user: ServiceUser = User):
        query = select(ServiceUpload).where(ServiceUpload.user_id == user.id).order_by(ServiceUpload.id.desc())
        with sessions() as session:
            return page_of(request, query, serialize.upload_json, session)

    @app.get(f"{API}/recap/{{upload_id}}/")
    def upload_detail(upload_id: int, user: ServiceUser = User):
        with sessions() as session:
            row = session.get(ServiceUpload, upload_id)
            if row is None or row.user_id != user.id:
                raise ApiError(404, "Not found.")
            return serialize.upload_json(row)

    # -- prayers -------------------------------------------------------------------------------
    @app.post(f"{API}/prayers/", status_code=201)
    async def prayer_create(request: Request, user: ServiceUser = User):
        data = await body_of(request)
        document_id = integer(data, "recap_document", required=True)
        webhook_url = data.get("webhook_url") or None
        problem = destination_problem(webhook_url, config.allow_private_webhooks)
        if problem:
            raise bad("webhook_url", problem)
        with sessions() as session:
            document = session.get(DocumentRow, document_id)
            if document is None:
                raise bad("recap_document", f"Invalid pk \"{document_id}\" - object does not exist.")
            if document.is_sealed:
                raise bad("recap_document", "This document is sealed: it is not available from PACER.")
            if not document.pacer_doc_id:
                raise bad("recap_document", "This document is not available from PACER (no pacer_doc_id).")
            if session.scalars(select(ServicePrayer).where(ServicePrayer.user_id == user.id,
                                                           ServicePrayer.document_id == document_id)).first():
                raise bad("recap_document", "You have already prayed for this document.")
            start = dt.datetime.combine(utcnow().date(), dt.time(), dt.timezone.utc)
            today = session.scalar(select(func.count()).select_from(ServicePrayer).where(
                ServicePrayer.user_id == user.id, ServicePrayer.created_at >= start))
            if today >= config.prayer_quota:
                raise ApiError(429, f"Daily prayer quota reached ({config.prayer_quota} a day).")
            row = ServicePrayer(user_id=user.id, document_id=document_id, webhook_url=webhook_url,
                                status=GRANTED if document.filepath else WAITING,
                                granted_at=utcnow() if document.filepath else None)
            session.add(row)
            session.commit()
            return JSONResponse(serialize.prayer_json(row, document), 201)

    @app.get(f"{API}/prayers/")
    def prayer_list(request: Request, user: ServiceUser = User):
        query = select(ServicePrayer, DocumentRow).join(DocumentRow, DocumentRow.id == ServicePrayer.document_id).where(
            ServicePrayer.user_id == user.id).order_by(ServicePrayer.id.desc())
        if request.query_params.get("status"):
            query = query.where(ServicePrayer.status == integer(request.query_params, "status"))
        with sessions() as session:
            return page_of(request, query, serialize.prayer_json, session)

    @app.delete(f"{API}/prayers/{{prayer_id}}/", status_code=204)
    def prayer_delete(prayer_id: int, user: ServiceUser = User):
        with sessions() as session:
            row = session.get(ServicePrayer, prayer_id)
            if row is None or row.user_id != user.id:
                raise ApiError(404, "Not found.")
            if row.status == GRANTED:
                raise ApiError(400, "A granted prayer cannot be deleted.")
            session.delete(row)
            session.commit()
        return Response(status_code=204)

    # -- legacy RECAP queries -----------------------------------------------------------------
    async def legacy_json(request: Request) -> dict:
        form = await request.form()
        raw = form.get("json")
        if raw is None and request.headers.get("content-type", "").startswith("application/json"):
            return await request.json()
        try:
            data = json.loads(raw if isinstance(raw, str) else "")  # a file under the name is not the field
        except ValueError:
            raise ApiError(400, "send json=<a JSON object>") from None
        if not isinstance(data, dict):
            raise ApiError(400, "send json=<a JSON object>")
        return data

    @app.post("/recap/query_cases/")
    async def query_cases(request: Request, user: ServiceUser = User):
        data = await legacy_json(request)
        court = known_court(data.get("court"))
        case = str(data.get("case_number") or data.get("pacer_case_id") or "").strip()
        if not case:
            raise bad("case_number", "This field is required (PACER's case id).")
        with sessions() as session:
            docket = session.scalars(select(DocketRow).where(DocketRow.court_id == court,
                                                             DocketRow.pacer_case_id == case)).first()
            if docket is None:
                return {}
            return {"docket_url": absolute(request, f"{API}/dockets/{docket.id}/"),
                    "timestamp": serialize.iso(docket.updated_at)}

    @app.post("/recap/query/")
    async def query_documents(request: Request, user: ServiceUser = User):
        import re

        data = await legacy_json(request)
        court = known_court(data.get("court"))
        urls = data.get("urls") or []
        if not isinstance(urls, list):
            raise bad("urls", "A list of document URLs.")
        answer = {}
        with sessions() as session:
            for url in urls[:500]:
                match = re.search(r"/doc1/(\d+)", str(url))
                if not match:
                    continue
                doc_id = normalize_pacer_doc_id(match.group(1), court)
                document = session.scalars(select(DocumentRow).where(
                    DocumentRow.court_id == court, DocumentRow.pacer_doc_id == doc_id,
                    DocumentRow.filepath.is_not(None))).first()
                if document is not None:
                    answer[url] = {"filename": file_url(request, document.filepath),
                                   "timestamp": serialize.iso(document.updated_at)}
        return answer

    # -- the web page --------------------------------------------------------------------------
    @app.get("/api/rest/v3/me/")
    def me(user: ServiceUser = User):
        with sessions() as session:
            runs = session.scalars(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(10)).all()
            return {"name": user.name, "crawl_runs": [
                {"id": r.id, "spider": r.spider, "started_at": serialize.iso(r.started_at),
                 "finished_at": serialize.iso(r.finished_at), "cost": r.cost, "pages": r.pages,
                 "finish_reason": r.finish_reason} for r in runs]}

    @app.get("/", response_class=HTMLResponse)
    def home():
        from pacer_spiders.service.web import PAGE

        return PAGE

    return app


def _local_file(store: str, relative: str) -> Response:
    root = Path(store).resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        raise ApiError(404, "Not found.")
    return Response(path.read_bytes(), media_type="application/pdf" if path.suffix == ".pdf" else None)
