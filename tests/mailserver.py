"""A real SMTP server for tests: aiosmtpd in a process of its own on a free loopback port,
delivering into a Maildir that tests read."""
from __future__ import annotations

import mailbox
import socket
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path


class MailServer:
    def __init__(self, folder: Path):
        self.maildir = Path(folder) / "Maildir"
        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-u", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(self.maildir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the SMTP server did not start: " + self.process.stderr.read().decode(errors="replace")[-500:])
                time.sleep(0.05)

    @property
    def settings(self) -> dict:
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "mail_from": "kb@example.cn"}

    def messages(self) -> list:
        """Every message delivered so far, parsed (email.message.EmailMessage)."""
        if not self.maildir.exists():
            return []
        box = mailbox.Maildir(self.maildir, create=False)
        parse = BytesParser(policy=policy.default).parsebytes
        return [parse(box.get_bytes(key)) for key in sorted(box.keys())]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
