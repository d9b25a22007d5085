"""The webhook under attack, through the real `penah run` in webhook mode and real HTTP on
127.0.0.1: strangers' huge posts are refused on their headers, before the body is read."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.botprocess import BotProcess, penah_env
from tests.fakeapi import FakeBotAPI
from tests.fakes import user
from tests.test_attacks_runtime import CANARY, PHONE, STRANGER, assert_clean, to_chat

pytest.importorskip("tornado")
pytestmark = pytest.mark.e2e  # every test here starts `penah run`

SECRET = "webhook-secret-0123456789abcdef"
BIG = 94 * 1024 * 1024
CHUNK = b"[" * (1024 * 1024)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def webhook_env(api: FakeBotAPI, tmp_path: Path, port: int) -> dict[str, str]:
    return {**penah_env(api, tmp_path), "PENAH_WEBHOOK_URL": "https://bot.example/telegram",
            "PENAH_LISTEN": f"127.0.0.1:{port}", "PENAH_WEBHOOK_SECRET": SECRET}


@contextlib.asynccontextmanager
async def webhook_bot(
    tmp_path: Path, open_files: tuple[int, int] | None = None
) -> AsyncIterator[tuple[FakeBotAPI, BotProcess, int]]:
    port = free_port()
    async with FakeBotAPI() as api, BotProcess(
        api, webhook_env(api, tmp_path, port), tmp_path, open_files=open_files
    ) as bot:
        yield await _listening(api, bot, port)


async def _listening(api: FakeBotAPI, bot: BotProcess,
                     port: int) -> tuple[FakeBotAPI, BotProcess, int]:
    """Once Telegram was told the URL and the port takes connections."""
    call = await api.wait_for(lambda c: c.method == "setWebhook", 30)
    assert call.params["secret_token"] == SECRET
    for _ in range(200):  # listening (Penah binds first; PTB's own server did not)
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except ConnectionError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        break
    return api, bot, port


async def post(port: int, size: int, secret: str | None,
               body: bytes | None = None) -> tuple[int, int]:
    """POST `size` bytes (or `body`) to the webhook, streaming as a client would, until the
    server answers or hangs up: (the status, 0 if reset without one; the bytes sent)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST /telegram HTTP/1.1\r\nHost: bot.example\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\n")
    if secret is not None:
        head += f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n"
    status = asyncio.create_task(reader.readline())
    sent = 0
    line = b""
    try:
        writer.write(head.encode() + b"\r\n")
        if body is not None:
            writer.write(body)
            sent = len(body)
        else:
            while sent < size and not status.done():
                writer.write(CHUNK[: size - sent])
                await writer.drain()
                sent += len(CHUNK)
    except ConnectionError:
        pass  # the server hung up on us: what we are testing for
    try:
        line = await asyncio.wait_for(status, 30)
    except ConnectionError:
        line = b""  # a reset can drop the answer the server had sent
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return (int(line.split()[1]) if line.startswith(b"HTTP/") else 0), sent


async def post_chunked(port: int, chunks: int) -> int:
    """An authenticated POST whose body declares no length (chunked), 1 MB a chunk."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST /telegram HTTP/1.1\r\nHost: bot.example\r\n"
                 f"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                 f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n\r\n".encode())
    status = asyncio.create_task(reader.readline())
    with contextlib.suppress(ConnectionError):
        for _ in range(chunks):
            if status.done():
                break
            writer.write(f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n")
            await writer.drain()
    try:
        line = await asyncio.wait_for(status, 30)
    except ConnectionError:
        line = b""
    writer.close()
    return int(line.split()[1]) if line.startswith(b"HTTP/") else 0


def update(payload: dict[str, Any], update_id: int) -> bytes:
    return json.dumps({"update_id": update_id, **payload}).encode()


def message(sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"message": {"message_id": 77, "date": int(time.time()), "from": sender,
                        "chat": {"id": sender["id"], "type": "private", "first_name": "T"},
                        **fields}}


def start_update(user_id: int) -> bytes:
    """Telegram's post of this person's /start, as a tap on the command sends it."""
    return update(message(user(user_id), text="/start",
                          entities=[{"type": "bot_command", "offset": 0, "length": 6}]), 1)


async def stranger(port: int, data: bytes) -> asyncio.StreamWriter | None:
    """A stranger's connection that sends `data` and then nothing (None if not taken)."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
    except (OSError, TimeoutError):
        return None
    writer.write(data)
    return writer


async def test_twenty_huge_unauthenticated_posts_are_refused_before_their_body_is_read(
    tmp_path: Path,
) -> None:
    async with webhook_bot(tmp_path) as (api, bot, port):
        before = rss_mb(bot.pid)
        answers = await asyncio.gather(*(post(port, BIG, None if i % 2 else "wrong")
                                         for i in range(20)))
        after = rss_mb(bot.pid)
        assert after - before < 40, f"RSS grew from {before:.0f} MB to {after:.0f} MB"
        # the right secret, but more than the limit: refused on its declared length too
        status, _ = await post(port, 2 * 1024 * 1024, SECRET)
        assert status in (413, 0)
        assert await post_chunked(port, 40) in (400, 413, 0)  # no length given: cut at 1 MB
        assert rss_mb(bot.pid) - before < 40
        # and the bot still serves Telegram's own posts
        start = start_update(4444)
        mark = len(api.calls)
        assert (await post(port, len(start), SECRET, start))[0] == 200
        await api.wait_for(to_chat(4444, "sendMessage"), 10, mark)
        log = bot.stderr()
    # refused (403, or a reset that can drop it) after little more than the headers
    assert all(status in (403, 0) and sent < 16 * len(CHUNK) for status, sent in answers)
    assert any(status == 403 for status, _ in answers)
    assert_clean(log)


async def test_an_unparseable_update_by_webhook_is_skipped_and_the_next_person_answered(
    tmp_path: Path,
) -> None:
    poll = {"id": "5", "question": f"{CANARY} {PHONE}", "total_voter_count": 0,
            "is_closed": False, "is_anonymous": True, "type": "regular",
            "allows_multiple_answers": False,
            "options": [{"text": CANARY, "voter_count": 0}]}
    bad = update(message(STRANGER, poll=poll, forward_origin={
        "type": "user", "date": 1, "sender_user": STRANGER}), 7)
    async with webhook_bot(tmp_path) as (api, bot, port):
        assert (await post(port, len(bad), SECRET, bad))[0] == 200  # Telegram must not resend
        good = update(message(user(4545), text="hello"), 8)
        mark = len(api.calls)
        assert (await post(port, len(good), SECRET, good))[0] == 200
        await api.wait_for(to_chat(4545, "sendMessage"), 10, mark)
        log = bot.stderr()
    assert_clean(log)
    assert "update 7 of type message" in log
    assert all(c.params.get("chat_id") != STRANGER["id"] for c in api.called("sendMessage"))


async def test_a_webhook_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        async with FakeBotAPI() as api, BotProcess(api, webhook_env(api, tmp_path, port),
                                                   tmp_path) as bot:
            assert bot.process is not None
            code = await asyncio.wait_for(bot.process.wait(), 30)
            log = bot.stderr()
    assert code == 1
    lines = [line for line in log.strip().splitlines() if line.startswith("penah: ")]
    assert len(lines) == 1 and "cannot listen" in lines[0] and "Traceback" not in log
    assert not api.called("setWebhook"), "Telegram was not sent to a port the bot cannot use"


IDLE_CONNECTIONS = 1_100
REQUEST_LINE = b"POST /telegram HTTP/1.1\r\n"  # and then nothing: headers never finished


def open_files_limit(pid: int) -> tuple[int, int]:
    """The process's open-files limit (soft, hard), as the kernel holds it."""
    with open(f"/proc/{pid}/limits") as fh:
        for line in fh:
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return int(soft), int(hard)
    raise AssertionError("no open-files limit")


async def test_1100_idle_connections_leave_telegrams_update_answered_within_2_s(
    tmp_path: Path,
) -> None:
    """Started with a low soft limit (256) under a hard one of 1024: the soft limit is raised,
    and strangers' connections that never finish their headers cannot crowd Telegram out."""
    async with webhook_bot(tmp_path, open_files=(256, 1024)) as (api, bot, port):
        limits = open_files_limit(bot.pid)
        idle: list[asyncio.StreamWriter | None] = []
        for _ in range(0, IDLE_CONNECTIONS, 100):
            idle += await asyncio.gather(*(stranger(port, REQUEST_LINE) for _ in range(100)))
        start = start_update(4646)
        mark = len(api.calls)
        began = time.monotonic()
        try:
            status, _ = await asyncio.wait_for(post(port, len(start), SECRET, start), 10)
        except TimeoutError:
            status = 0
        answer = await api.wait_for(to_chat(4646, "sendMessage"), 10, mark)
        answered = answer.at - began
        log = bot.stderr()
        for writer in idle:
            if writer is not None:
                writer.close()
    assert limits == (1024, 1024), "the soft limit was raised to the hard one"
    assert sum(w is not None for w in idle) == IDLE_CONNECTIONS
    assert status == 200
    assert answered < 2.0, f"answered after {answered:.1f} s"
    assert len(log.splitlines()) < 30, log[-3000:]
    assert_clean(log)


@pytest.mark.parametrize("path", ["/elsewhere", "/telegram"])
async def test_strangers_whose_bodies_never_come_cannot_fill_the_webhook(
    tmp_path: Path, path: str
) -> None:
    """Complete headers count as a request in progress, which the cap does not drop: so a
    stranger's is refused on its headers, at any path, and its connection freed."""
    async with webhook_bot(tmp_path, open_files=(256, 1024)) as (api, bot, port):
        headers = (f"POST {path} HTTP/1.1\r\nHost: bot.example\r\n"
                   f"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[").encode()
        stalled: list[asyncio.StreamWriter | None] = []
        for _ in range(4):  # whole headers, and a body that never comes
            stalled += await asyncio.gather(*(stranger(port, headers) for _ in range(100)))
        start = start_update(4747)
        mark = len(api.calls)
        try:
            status, _ = await asyncio.wait_for(post(port, len(start), SECRET, start), 10)
        except TimeoutError:
            status = 0
        await api.wait_for(to_chat(4747, "sendMessage"), 10, mark)
        for writer in stalled:
            if writer is not None:
                writer.close()
        log = bot.stderr()
    assert status == 200
    assert len(log.splitlines()) < 30, log[-3000:]
