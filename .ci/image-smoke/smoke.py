"""Checks of the built image that a shell line cannot say plainly, run inside the image as its own
user (a build step of .ci/image-smoke/Containerfile), since no container can be started here.

    python3 smoke.py console ar ku-Arab   the main menu in these languages
    python3 smoke.py secrets              no token or secret in the image's settings or files
    python3 smoke.py run                  `penah run` against the stand-in Bot API writes only
                                          in /data and /tmp

Only the `penah` command and tests/fakeapi.py (with tests/fakes.py) are used, so the check
holds whatever module the command lives in.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from tests.fakeapi import FakeBotAPI

# Written by the bot by design: the data volume, and /tmp (a tmpfs in compose.yaml).
WRITABLE = ("/data", "/tmp")  # noqa: S108
# Not files of the image: the kernel's views.
NOT_FILES = ("/proc", "/sys", "/dev")
SMOKE_DIR = str(Path(__file__).resolve().parent)
TOKEN = "123456789:AAEsmokeTOKENsmokeTOKENsmokeTOKEN12"  # noqa: S105 (the stand-in takes any)
# A Bot API token as @BotFather gives one.
TOKEN_FORM = re.compile(rb"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")
# The variables that hold a secret: one list, which .ci/image reads too.
SECRET_NAMES = tuple(
    line.strip() for line in (Path(SMOKE_DIR) / "secret-names").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
BUTTON = re.compile(r"^\s+\[(\d+)\] (.+)$", re.MULTILINE)
ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u0671-\u06d3\u06d5]")
PERSON_ID = 4242
PERSON: dict[str, Any] = {"id": PERSON_ID, "is_bot": False, "first_name": "Smoke",
                         "language_code": "ar"}


class Failed(Exception):
    """A promise of the image that does not hold; the message says which."""


def penah(*args: str, stdin: str = "", env: dict[str, str] | None = None,
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["penah", *args], input=stdin, capture_output=True, text=True,  # noqa: S603, S607
                          env=env, timeout=120, check=False)


# ---------------------------------------------------------------------- console
def console(languages: list[str]) -> None:
    """Each language's first screen is the main menu: as many buttons as the English one, every
    line in Arabic script, and not the same words as another language's."""
    english = penah("console", "--lang", "en", stdin="q\n")
    if english.returncode != 0:
        raise Failed(f"penah console --lang en: exit {english.returncode}\n{english.stderr}")
    menu_size = len(BUTTON.findall(english.stdout))
    if menu_size < 2:
        raise Failed(f"the English main menu has {menu_size} buttons:\n{english.stdout}")
    seen: dict[str, str] = {"en": english.stdout}
    for language in languages:
        shown = penah("console", "--lang", language, stdin="q\n")
        print(f"$ printf 'q\\n' | penah console --lang {language}   (exit {shown.returncode})")
        print(shown.stdout.rstrip("> \n"))
        print(shown.stderr, end="")
        if shown.returncode != 0 or shown.stderr.strip():
            raise Failed(f"penah console --lang {language} did not show the menu cleanly")
        buttons = BUTTON.findall(shown.stdout)
        if len(buttons) != menu_size:
            raise Failed(f"{language}: {len(buttons)} buttons, the main menu has {menu_size}")
        first_line = shown.stdout.splitlines()[0]
        untranslated = [text for text in [first_line] + [label for _, label in buttons]
                        if not ARABIC_LETTER.search(text)]
        if untranslated:
            raise Failed(f"{language}: not in Arabic script: {untranslated}")
        for other, text in seen.items():
            if text == shown.stdout:
                raise Failed(f"{language} shows exactly what {other} shows")
        seen[language] = shown.stdout


# ---------------------------------------------------------------------- secrets
def image_paths(skip: tuple[str, ...]) -> Iterator[tuple[str, os.stat_result]]:
    """Every folder and file of the image's own file system this user can reach, as
    `find / -xdev` lists them, except those under `skip`; with what lstat says of each."""
    root_device = os.stat("/").st_dev
    for folder, subfolders, files in os.walk("/", onerror=lambda error: None):
        kept = []
        for name in subfolders:
            path = os.path.join(folder, name)
            if any(path == top or path.startswith(top + "/") for top in skip):
                continue
            status = os.lstat(path)
            if status.st_dev == root_device:
                kept.append(name)
                yield path, status
        subfolders[:] = kept
        for name in files:
            path = os.path.join(folder, name)
            yield path, os.lstat(path)


def secrets() -> None:
    """No token or secret in the image's environment, no secret file, no token in any file."""
    found = [name for name in SECRET_NAMES if name in os.environ]
    for path, status in image_paths((*NOT_FILES, SMOKE_DIR)):
        if not stat.S_ISREG(status.st_mode):
            continue
        if os.path.basename(path) in (".env", "secret"):
            found.append(path)
            continue
        try:
            content = Path(path).read_bytes()
        except OSError:
            continue  # not readable by the image's user, so not by the bot either
        if TOKEN_FORM.search(content):
            found.append(f"{path}: a bot token")
    if found:
        raise Failed("secrets in the image:\n" + "\n".join(found))
    print(f"environment: {', '.join(SECRET_NAMES)} unset")
    print("files: no .env, no secret file, nothing in the form of a bot token")


# ---------------------------------------------------------------------- run
def run() -> None:
    """Start `penah run` against the stand-in Bot API, have a person use it, stop it, and list
    every file it changed outside /data and /tmp: there must be none (the compose file runs the
    container with a read-only root)."""
    scratch = Path(tempfile.mkdtemp(prefix="penah-smoke-"))
    marker = scratch / "start"
    marker.touch()
    since = marker.stat().st_mtime_ns
    log = scratch / "penah-run.log"
    try:
        with log.open("wb") as output:
            code = asyncio.run(_serve_a_person(output))
        print(f"penah run: exit {code} on SIGTERM")
    finally:
        print("its log:\n  " + log.read_text(errors="replace").strip().replace("\n", "\n  "))
    changed = sorted(path for path, status in image_paths(NOT_FILES + WRITABLE)
                     if status.st_mtime_ns > since)
    print("files changed outside /data and /tmp:", *changed or ["none"], sep="\n  ")
    print("/data after the run:")
    for path in sorted(Path("/data").rglob("*")):
        print(f"  {stat.filemode(path.lstat().st_mode)} {path}")
    if code != 0:
        raise Failed(f"penah run exited {code} on SIGTERM")
    if changed:
        raise Failed("penah run wrote outside /data and /tmp")


def _bot_env(api: FakeBotAPI) -> dict[str, str]:
    """The image's environment (without proxies: only 127.0.0.1 may be reached) plus the token."""
    env = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
    env.update(NO_PROXY="127.0.0.1", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url)
    return env


async def _serve_a_person(output: BinaryIO) -> int:
    """The bot's exit code on SIGTERM, once it has served a person and reported itself healthy."""
    async with FakeBotAPI() as api:
        started = time.monotonic()
        bot = await asyncio.create_subprocess_exec(
            "penah", "run", env=_bot_env(api), cwd="/",
            stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output,
        )
        try:
            await api.wait_for(lambda call: call.method == "getUpdates", within=60)
            waited = time.monotonic() - started
            print(f"penah run: polling the stand-in Bot API after {waited:.1f} s")
            await _use_the_bot(api)
            await _healthy()
        finally:
            code = await _stop(bot)
    return code


async def _healthy() -> None:
    """`penah health` (the image's HEALTHCHECK) passes once the first heartbeat is written."""
    for _ in range(30):
        health = await asyncio.to_thread(penah, "health")
        if health.returncode == 0:
            print(f"penah health while it runs: exit 0: {health.stdout.strip()}")
            return
        await asyncio.sleep(0.5)
    raise Failed(f"penah health fails while the bot runs: {health.stderr.strip()}")


async def _use_the_bot(api: FakeBotAPI) -> None:
    """A person sends /start and presses the first button: the bot answers and stores their
    choice, so the database is written."""
    api.send_text(PERSON, "/start")
    await api.wait_for(lambda call: call.method == "sendMessage"
                       and call.params.get("chat_id") == PERSON_ID, within=30)
    keyboard = api.last_message(PERSON_ID).get("reply_markup", {}).get("inline_keyboard", [])
    data = next((button["callback_data"] for row in keyboard for button in row
                 if "callback_data" in button), None)
    if data is None:
        raise Failed("the answer to /start has no button")
    since = len(api.calls)
    api.press(PERSON, data)
    answered = await api.wait_for(lambda call: call.method == "answerCallbackQuery", 30, since)
    print(f"a person sent /start and pressed a button: answered ({answered.method})")


async def _stop(bot: asyncio.subprocess.Process) -> int:
    if bot.returncode is None:
        bot.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(bot.wait(), 20)
        except TimeoutError:
            bot.kill()
    return await bot.wait()


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["console"]:
            console(argv[1:])
        elif argv == ["secrets"]:
            secrets()
        elif argv == ["run"]:
            run()
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except Failed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
