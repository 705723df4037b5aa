"""The command line: `layers-emulator serve ...` and `layers-emulator scenario run FILE`.
Parsing only; the work happens in `emulator.server` and `emulator.scenarios`."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from emulator import __version__
from emulator.settings import Settings, SettingsError, env, parse_bool, parse_int, parse_start


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear sentence, non-zero exit
        sys.stderr.write(f"layers-emulator: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="layers-emulator", description="A local emulator of the Layers Partner API.")
    parser.add_argument("--version", action="version", version=f"layers-emulator {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    serve = sub.add_parser("serve", help="run the emulator server")
    serve.add_argument("--host", default=env("HOST") or "127.0.0.1")
    serve.add_argument("--port", default=env("PORT") or "8787")
    serve.add_argument("--db", default=env("DB") or "./layers-emulator.db")
    serve.add_argument("--clock", default=env("CLOCK") or "real")
    serve.add_argument("--start", default=env("START"))
    serve.add_argument("--seed", default=env("SEED") or "0")
    serve.add_argument("--strict-keys", action="store_true", default=None)
    serve.add_argument("--rate-limits", default=env("RATE_LIMITS"))
    serve.add_argument("--return-url-allowlist", default=env("RETURN_URL_ALLOWLIST"),
                       help="comma-separated hosts allowed as OAuth returnUrl")
    serve.add_argument("--allow-remote", action="store_true", default=None,
                       help="allow binding a non-loopback address (requires --admin-token)")
    serve.add_argument("--admin-token", default=env("ADMIN_TOKEN"))
    serve.add_argument("--log-level", default=env("LOG_LEVEL") or "warning")

    scenario = sub.add_parser("scenario", help="scenario files")
    scenario_sub = scenario.add_subparsers(dest="scenario_command", parser_class=_Parser)
    run = scenario_sub.add_parser("run", help="run a scenario file on a virtual clock")
    run.add_argument("file")
    run.add_argument("--seed", default=None)
    run.add_argument("--report", default=None, help="write a self-contained HTML report")
    run.add_argument("--json", dest="json_out", default=None, help="write the JSON report")
    run.add_argument("--target", default=None, help="run against a running emulator at this URL")
    run.add_argument("--no-progress", action="store_true")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    strict = args.strict_keys if args.strict_keys is not None else parse_bool(
        "LAYERS_EMULATOR_STRICT_KEYS", env("STRICT_KEYS") or "false")
    allow_remote = args.allow_remote if args.allow_remote is not None else parse_bool(
        "LAYERS_EMULATOR_ALLOW_REMOTE", env("ALLOW_REMOTE") or "false")
    allowlist = tuple(h.strip().lower() for h in (args.return_url_allowlist or "").split(",") if h.strip())
    settings = Settings(
        host=args.host,
        port=parse_int("--port", args.port),
        db=args.db,
        clock=args.clock,
        start=parse_start(args.start),
        seed=parse_int("--seed", args.seed),
        strict_keys=strict,
        rate_limits=args.rate_limits or None,
        return_url_allowlist=allowlist,
        allow_remote=allow_remote,
        admin_token=args.admin_token,
    )
    loopback = settings.host in ("127.0.0.1", "localhost", "::1")
    if not loopback and not settings.allow_remote:
        raise SettingsError(f"binding {settings.host} exposes the emulator; pass --allow-remote (with --admin-token) to do it")
    if settings.allow_remote and not settings.admin_token:
        raise SettingsError("--allow-remote needs --admin-token so /_emulator stays protected")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        try:
            settings = settings_from(args)
        except SettingsError as exc:
            sys.stderr.write(f"layers-emulator: {exc}\n")
            return 2
        from emulator.server import serve

        return serve(settings, log_level=args.log_level)
    if args.command == "scenario" and args.scenario_command == "run":
        from emulator.scenarios.cli import run_command

        return run_command(args)
    parser.print_help(sys.stderr)
    return 2
