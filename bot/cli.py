"""`penah run | console | check | export | schema | health | i18n`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, StartupError, load_settings

if TYPE_CHECKING:
    from bot.directory.queries import Directory

log = logging.getLogger("bot")

SETUP_HELP = """\
Penah needs a Telegram bot token to run.

  1. In Telegram, open @BotFather and send /newbot; follow its questions.
  2. It answers with a token like 123456789:AAE...; keep it secret.
  3. Start the bot with it:   TELEGRAM_BOT_TOKEN=123456789:AAE... penah run

To try the menus without Telegram, run:   penah console
"""
Handler = Callable[[Settings, argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="penah", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Handler, about: str) -> argparse.ArgumentParser:
        subcommand = sub.add_parser(name, help=about)
        subcommand.set_defaults(handler=handler)
        return subcommand

    run = command("run", _run, "start the bot (long polling, or a webhook)")
    run.add_argument("--resources", type=Path, help="directory file or folder (PENAH_RESOURCES)")
    run.add_argument("--data-dir", type=Path, help="database and secret folder (PENAH_DATA_DIR)")
    run.add_argument("--webhook-url", help="public https URL Telegram should post updates to")
    run.add_argument("--listen", help="HOST:PORT the webhook server listens on")

    console = command("console", _console, "try the menus in this terminal, offline")
    console.add_argument("--lang", help="start in this language (a code in locales/languages.yaml)")
    console.add_argument("--region", help="start in this region (iq-fed, iq-kr, …)")
    console.add_argument("--resources", type=Path)

    check = command("check", _check, "validate a directory file or folder; exit 1 on errors")
    check.add_argument("file", nargs="?", type=Path)
    check.add_argument("--stale-days", type=int, help="warn when not confirmed for this long")
    check.add_argument("--online", action="store_true", help="also fetch every link; 1 if dead")
    check.add_argument("--allow-private", action="store_true", help="with --online: also fetch "
                       "links to loopback, private and link-local addresses (tests, intranets; "
                       "PENAH_CHECK_LINKS_ALLOW_PRIVATE=1)")
    check.add_argument("--timeout", type=float, metavar="SECONDS", help="with --online: the most "
                       "one link may take, redirects included (default 8)")

    export = command("export", _export, "a place's directory as a page to print, or SMS text")
    export.add_argument("--place", required=True, help="a region id (iq-fed, iq-kr, …)")
    export.add_argument("--lang", required=True, help="a language code (ar, ckb, en, ku, …)")
    export.add_argument("--format", choices=("html", "txt"), default="html")
    export.add_argument("-o", "--output", type=Path, help="this file, not standard output")
    export.add_argument("--resources", type=Path)

    schema = command("schema", _schema, "write the JSON schema editors use for resources.yaml")
    schema.add_argument("--output", type=Path, default=Path("resources.schema.json"))
    health = command("health", _health, "exit 0 while the running bot's heartbeat is fresh")
    health.add_argument("--max-age", type=float, default=60.0, help="seconds (default 60)")

    i18n = command("i18n", _i18n, "translation coverage; exit 1 on broken catalogs")
    i18n.add_argument("--locales", type=Path)
    i18n.add_argument("--resources", type=Path)
    i18n.add_argument("--verbose", action="store_true", help="also list the texts to review")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        return _fail(exc, 2)
    handler: Handler = args.handler
    return handler(settings, args)


def _fail(problem: object, code: int = 1) -> int:
    print(f"penah: {problem}", file=sys.stderr)
    return code


def _load_or_report(path: Path) -> Directory | None:
    from bot.directory.model import DirectoryError
    from bot.loading.reloader import load_directory

    try:
        return load_directory(path)
    except DirectoryError as exc:
        print(exc, file=sys.stderr)
        return None


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from telegram.error import InvalidToken

    from bot.directory.model import DirectoryError
    from bot.i18n.translator import load_catalogs
    from bot.loading.reloader import Reloader
    from bot.ops.logs import setup_logging
    from bot.storage.store import StoreError
    from bot.telegram.app import ALLOWED_UPDATES, PenahBot, Polling
    from bot.telegram.runner import Receiver, raise_open_files_limit, serve

    given = {name: getattr(args, name) for name in ("resources", "data_dir", "webhook_url",
                                                    "listen") if getattr(args, name) is not None}
    settings = Settings.model_validate({**settings.model_dump(), **given})
    if not settings.token:
        print(SETUP_HELP, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, unsafe=settings.unsafe_debug)
    try:
        _prepare(settings)
        reloader = Reloader.start_with(settings.resources, interval=settings.reload_interval)
    except StartupError as exc:
        return _fail(exc)
    except DirectoryError as exc:
        return _fail(f"the directory cannot be loaded:\n{exc}")
    if settings.webhook_url and importlib.util.find_spec("tornado") is None:
        return _fail("webhook mode needs: pip install 'penah[webhook]'", 2)
    open_files = raise_open_files_limit()
    bot = PenahBot(settings, reloader, load_catalogs(settings.locales))
    app = bot.build()
    receiver: Receiver
    try:
        if settings.webhook_url:
            from bot.telegram.webhook import Webhook, connection_cap

            host, _, port = settings.listen.rpartition(":")
            listen = host or "0.0.0.0"  # noqa: S104 - inside a container
            receiver = Webhook(app.bot, app.update_queue, listen=listen, port=int(port),
                               url=settings.webhook_url, secret=bot.webhook_secret(),
                               allowed_updates=ALLOWED_UPDATES,
                               max_connections=connection_cap(open_files))
        else:
            assert isinstance(app.updater, Polling)
            receiver = app.updater
        asyncio.run(serve(app, receiver))
    except (StoreError, StartupError) as exc:
        return _fail(exc)
    except InvalidToken:
        return _fail("Telegram refused the token: check TELEGRAM_BOT_TOKEN", 2)
    return 0


PRIVATE_FILES = ("penah.sqlite3", "penah.sqlite3-wal", "penah.sqlite3-shm", "secret", "heartbeat")


def _prepare(settings: Settings) -> None:
    """What `penah run` needs before it talks to Telegram; a StartupError saying what to do if
    not. Penah's files are its user's alone: umask 077, and a data folder or file left readable
    by others (an older Penah, a copied backup) is tightened."""
    from bot.storage.store import load_secret

    os.umask(0o077)
    folder = settings.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StartupError(f"cannot create the data folder {folder} ({exc.strerror or exc}); "
                           "create it for this user or set PENAH_DATA_DIR to a writable "
                           "folder") from None
    if not folder.is_dir():
        raise StartupError(f"the data folder {folder} is not a folder; set PENAH_DATA_DIR")
    probe = folder / ".penah-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StartupError(f"cannot write to the data folder {folder} ({exc.strerror or exc}); "
                           f"give user {os.geteuid()} write access to it, or set "
                           "PENAH_DATA_DIR") from None
    _tighten(folder, 0o700)
    for name in PRIVATE_FILES:
        _tighten(folder / name, 0o600)
    if not settings.locales.is_dir():
        raise StartupError(f"the translations folder {settings.locales} does not exist; fix "
                           "PENAH_LOCALES, or unset it to use the shipped translations")
    load_secret(folder, settings.secret_bytes)  # one it makes is 0600 from the start


def _tighten(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(mode)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StartupError(f"{path} is readable by other users and cannot be made private "
                           f"({exc.strerror or exc}); run: chmod {mode:o} {path}") from None


def _health(settings: Settings, args: argparse.Namespace) -> int:
    """For a container's HEALTHCHECK: the bot touches the heartbeat while it serves."""
    import time

    try:
        age = time.time() - settings.heartbeat.stat().st_mtime
    except FileNotFoundError:
        print(f"no heartbeat at {settings.heartbeat}", file=sys.stderr)
        return 1
    print(f"heartbeat {age:.0f} s old")
    return 0 if age <= args.max_age else 1


def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.state import UserState
    from bot.i18n.sensitive import load_terms
    from bot.i18n.translator import load_catalogs
    from bot.ops.console import Console, run
    from bot.search.danger import danger_words_in

    directory = _load_or_report(args.resources or settings.resources)
    if directory is None:
        return 1
    catalogs = load_catalogs(settings.locales)
    if args.lang and args.lang not in catalogs.translators:
        return _fail(f"no catalog for {args.lang!r}; have: {', '.join(catalogs.codes)}", 2)
    if args.region and args.region not in directory.regions:
        return _fail(f"no region {args.region!r}; have: {', '.join(directory.regions)}", 2)
    state = UserState(lang=args.lang, region=args.region)
    terms = load_terms(settings.locales)  # the bot's own: discreet mode hides the same names
    danger, _ = danger_words_in(settings.locales)
    return run(Console(directory, catalogs, state, settings.retention_days, terms, danger))


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n.sensitive import load_terms
    from bot.i18n.translator import load_catalogs
    from bot.ops.admin import answers_report, warnings_for

    path = args.file or settings.resources
    directory = _load_or_report(path)
    if directory is None:
        return 1
    days = args.stale_days or settings.stale_days
    terms = load_terms(settings.locales)
    for warning in warnings_for(directory, stale_days=days, today=dt.date.today(), terms=terms):
        print(f"{path}: warning: {warning}")
    for line in answers_report(directory, load_catalogs(settings.locales), terms):
        print(f"{path}: answers: {line}")  # what typed danger meets first
    print(f"{path}: ok: {directory.summary()}")
    if not args.online:
        return 0
    from bot.ops.linkcheck import TIMEOUT, run_online

    allow_private = args.allow_private or settings.check_links_allow_private
    seconds = args.timeout if args.timeout and args.timeout > 0 else TIMEOUT
    return run_online(directory, str(path), allow_private=allow_private, seconds=seconds)


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n.sensitive import load_terms
    from bot.i18n.translator import load_catalogs
    from bot.ops import export

    directory = _load_or_report(args.resources or settings.resources)
    if directory is None:
        return 1
    try:  # the card's and the text's purposes are named neutrally, by the bot's own terms
        view = export.view_for(directory, load_catalogs(settings.locales),
                               load_terms(settings.locales), args.place, args.lang)
    except ValueError as exc:
        return _fail(exc, 2)
    written = (export.html if args.format == "html" else export.text)(view, dt.date.today())
    if not args.output:
        sys.stdout.write(written)
        return 0
    if args.output.is_dir():
        return _fail(f"cannot write {args.output}: it is a folder; name a file in it")
    temporary = args.output.with_name(f".{args.output.name}.{os.getpid()}.tmp")
    try:  # whole or not at all, for a web server or printer reading it; as any new file's mode
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "w",
                  encoding="utf-8") as out:
            out.write(written)
        os.replace(temporary, args.output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    return 0


def schema_text() -> str:
    from bot.directory.model import DirectoryFile

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "Penah directory (resources.yaml)", **DirectoryFile.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _schema(settings: Settings, args: argparse.Namespace) -> int:
    args.output.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def _i18n(settings: Settings, args: argparse.Namespace) -> int:
    from bot.ops.translations import report

    locales, resources = args.locales or settings.locales, args.resources or settings.resources
    summary, ok = report(locales, resources, args.verbose)
    print(summary)
    return 0 if ok else 1
