"""Start a real IMAP server (Debian's dovecot) on 127.0.0.1, in a temp dir, on a free port.

One user with a password and a Maildir home; the server stops when the context ends.  Used by the
tests of ``pacer-spiders mail --imap``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from pacer_spiders.testing.services import ServiceUnavailable, free_port, stop_process, wait_for_port

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {owner}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
first_valid_gid = {gid}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@contextlib.contextmanager
def imap_server(user: str = "notices", password: str = "mail-pass"):
    """Yield ``(host:port, user, password, maildir)``: the user's Maildir, to put messages in."""
    binary = shutil.which("dovecot")
    if binary is None:
        raise ServiceUnavailable("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="pacer-imap-"))
    os.chmod(root, 0o755)
    # Mail is never read as root: the mailbox belongs to dovecot's own unprivileged user.
    owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    login_user = "dovenull" if os.geteuid() == 0 else owner.pw_name
    port = free_port()
    maildir = root / "home" / user / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (root / "run").mkdir()
    (root / "state").mkdir()
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, uid=owner.pw_uid, gid=owner.pw_gid,
                                                     owner=owner.pw_name, login_user=login_user))
    if os.geteuid() == 0:
        for path in [root / "home", *(root / "home").rglob("*")]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
    proc = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        try:
            wait_for_port(port, timeout=20)
        except TimeoutError:
            proc.kill()
            _out, err = proc.communicate(timeout=5)
            log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot did not start: {err.decode(errors='replace')[-500:]} {log[-500:]}") from None
        yield f"127.0.0.1:{port}", user, password, maildir
    finally:
        stop_process(proc)
        shutil.rmtree(root, ignore_errors=True)
