"""Per-request PACER credentials: log in at once, keep only the session token.

The username, password and TOTP secret live in local variables of one call and are gone when
it returns; a refusal is reported with the kind of failure, never with what was sent.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from pacer_spiders.login import Account, LoginFailed, classify_login_answer, login_body


def pacer_login(login_url: str, username: str, password: str, totp_secret: str | None = None,
                client_code: str | None = None, timeout: float = 30.0) -> str:
    """The ``nextGenCSO`` token of a fresh login, or ``LoginFailed`` with a one-line reason."""
    account = Account(0, username, password, totp_secret or None, client_code or None)
    try:
        body = login_body(account)
        request = urllib.request.Request(login_url, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json"})
        del body
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise LoginFailed("login_unavailable", f"PACER login service answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise LoginFailed("login_unreachable", f"PACER login service unreachable: {type(exc).__name__}") from None
        finally:
            del request  # the password leaves memory with the request
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            raise LoginFailed("login_error", "PACER login service answered without JSON") from None
        failure = classify_login_answer(answer, account, totp_secret is not None)
        if failure is not None:
            # the message names the account by its login only ("account 0 (name)"): say "the credentials"
            raise LoginFailed(failure.kind, str(failure).replace(account.label, "the credentials given")) from None
        return str(answer["nextGenCSO"])
    finally:
        account.password = account.totp_secret = ""
