"""``pacer-spiders sandbox``: serve a simulated PACER on loopback until Ctrl-C.

Prints the settings a crawl needs (as ``export`` lines and as ``-s`` flags) and the test accounts.
"""

from __future__ import annotations

import shlex
import sys

from pacer_spiders.sandbox import FaultSpecError, Sandbox


def describe(sb: Sandbox, out=None) -> None:
    out = out or sys.stdout
    good = sb.account_env("good")
    out.write(f"PACER sandbox serving on {sb.url} (seed {sb.seed}"
              + (f", faults {sb.faults}" if sb.faults.faults else "") + ")\n\n")
    out.write("# settings, for a shell:\n")
    for name, value in {**sb.settings, **good}.items():
        out.write(f"export {name}={shlex.quote(value)}\n")
    out.write("\n# or as scrapy flags:\n")
    out.write(" ".join(f"-s {name}={shlex.quote(value)}" for name, value in sb.settings.items()) + "\n")
    out.write("\n# test accounts (role: login / password [client code] [TOTP secret]):\n")
    for role, account in sb.accounts.items():
        extra = ""
        if account.client_code:
            extra += f"  client code {account.client_code}"
        if account.totp_secret:
            extra += f"  TOTP secret {account.totp_secret}"
        out.write(f"#   {role:17} {account.login} / {account.password}{extra}\n")
    out.write(f"\n# ledger: curl {sb.url}/__sandbox__/ledger\n")
    out.write(f"# a docket: {sb.court_url('cand')}/cgi-bin/DktRpt.pl?100001 (cases 100001.. in every court)\n")
    out.write("Ctrl-C stops it.\n")
    out.flush()


def run(args) -> int:
    try:
        sb = Sandbox(host=args.host, port=args.port, corpus=args.corpus, seed=args.seed, latency=args.latency,
                     faults=args.faults, token_ttl=args.token_ttl, cases_per_court=args.cases)
    except (FaultSpecError, FileNotFoundError) as exc:
        sys.stderr.write(f"pacer-spiders sandbox: {exc}\n")
        return 2
    try:
        sb.bind()
    except OSError as exc:
        sys.stderr.write(f"pacer-spiders sandbox: cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
        return 2
    describe(sb)
    server = sb._server
    assert server is not None  # bound above
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        sys.stdout.write("\nsandbox stopped\n")
    finally:
        server.server_close()
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("sandbox", help="serve a simulated PACER on loopback", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--corpus", metavar="DIR", help="serve the real PACER pages of this corpus folder too")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic cases and of random faults")
    parser.add_argument("--latency", type=float, default=0, metavar="MS", help="delay every answer MS milliseconds")
    parser.add_argument("--faults", default="", metavar="SPEC",
                        help="faults to inject, e.g. '500=0.05,drop=0.01,429=50,login-outage' (README: Sandbox)")
    parser.add_argument("--token-ttl", type=float, default=3600, metavar="S", help="NextGenCSO token lifetime in seconds")
    parser.add_argument("--cases", type=int, default=40, help="synthetic cases in each court (default 40)")
    parser.set_defaults(func=run)
