"""Run a bot (the real `penah run`, or the bare benchmark bot) as a child process against
tests/fakeapi.py, and read what only the operating system knows: exit code, CPU time, stderr.
"""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from tests.fakeapi import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAEtestTOKENtestTOKENtestTOKENtest12"
PENAH = ("-m", "bot", "run")
TICKS = os.sysconf("SC_CLK_TCK")


def child_env(api: FakeBotAPI, **values: str) -> dict[str, str]:
    """The caller's environment without proxies (httpx would honour them, and only 127.0.0.1
    may be reached) or stray PENAH_/TELEGRAM_ settings, plus the token, the API and `values`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().endswith("_proxy") and not k.startswith(("PENAH_", "TELEGRAM_"))
    }
    env.update(
        NO_PROXY="127.0.0.1",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.url,
        **values,
    )
    return env


def penah_env(api: FakeBotAPI, workdir: Path, resources: Path | None = None) -> dict[str, str]:
    """`penah run` settings: a fresh data folder and a copy of the test directory by default.
    Every test starting the bot asks for them, so here it is held to being marked e2e."""
    assert RUNNING_E2E[0], "a test that starts `penah run` is marked @pytest.mark.e2e"
    STARTED[0] = True
    if resources is None:
        resources = workdir / "resources.yaml"
        if not resources.exists():
            shutil.copy(ROOT / "tests" / "data" / "directory.yaml", resources)
    return child_env(
        api,
        PENAH_DATA_DIR=str(workdir / "data"),
        PENAH_RESOURCES=str(resources),
        PENAH_ADMIN_IDS="999",
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (all its threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# Whether the running test is marked e2e, and whether it started a bot (tests/conftest.py):
# a test that starts `penah run` is marked e2e, and only such a test is.
RUNNING_E2E: list[bool] = [False]
STARTED: list[bool] = [False]


@dataclass
class BotProcess:
    """`async with BotProcess(api, env, workdir) as bot:` starts the child and, on leaving,
    stops it (SIGTERM, then SIGKILL after `grace` s) so no test leaves a bot behind.
    `open_files` (soft, hard) starts it under that open-files limit, as a container or a
    shell may set it."""

    api: FakeBotAPI
    env: dict[str, str]
    workdir: Path
    args: tuple[str, ...] = PENAH
    grace: float = 10.0
    open_files: tuple[int, int] | None = None
    started: float = 0.0
    process: asyncio.subprocess.Process | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.workdir / "stderr.log"

    async def __aenter__(self) -> BotProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.started = time.monotonic()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *self.args, env=self.env, cwd=self.workdir,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=log,
                preexec_fn=None if self.open_files is None else self._limit_open_files,
            )
        return self

    def _limit_open_files(self) -> None:
        """Run in the child between fork and exec."""
        assert self.open_files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, self.open_files)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is not None and self.process.returncode is None:
            await self.stop(within=self.grace)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def ready(self, within: float = 30.0) -> float:
        """Wait for the first getUpdates; seconds from process start to it."""
        call = await self.api.wait_for(lambda c: c.method == "getUpdates", within)
        return call.at - self.started

    async def stop(self, sig: int = signal.SIGTERM, within: float = 10.0) -> tuple[int, float]:
        """Send `sig`; (exit code, seconds to exit). SIGKILL if it outlives `within` s."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        return code, time.monotonic() - began

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")
