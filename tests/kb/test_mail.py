"""E-mail through a real SMTP server (aiosmtpd on loopback): Chinese subject and body arrive as
written; an unreachable server or no server configured is a Chinese error, not a crash."""
import pytest

from kb.config import load_config
from kb.mail import Mail, Mailer, MailError
from tests.conftest import CONTENT


def test_a_message_in_chinese_arrives_as_written(mail_server):
    mailer = Mailer(load_config(content_dir=CONTENT, **mail_server.settings))
    assert mailer.enabled
    mailer.send(Mail(("张三@example.cn", "li@example.cn"), "请复审：保密工作规定", "这篇制度 2026-12-01 到期复审。\n"))
    [message] = mail_server.messages()
    assert message["Subject"] == "请复审：保密工作规定"
    assert "张三@example.cn" in message["To"] and "li@example.cn" in message["To"]
    assert "办公室知识库" in message["From"] and "kb@example.cn" in message["From"]
    assert message.get_content().strip() == "这篇制度 2026-12-01 到期复审。"


def test_without_a_server_or_with_a_dead_one_sending_is_a_clear_error(tmp_path):
    with pytest.raises(MailError, match="没有设置邮件服务器"):
        Mailer(load_config(content_dir=CONTENT)).send(Mail(("a@example.cn",), "主题", "正文"))
    dead = Mailer(load_config(content_dir=CONTENT, smtp_host="127.0.0.1", smtp_port=9))
    with pytest.raises(MailError, match="邮件没有发出"):
        dead.send(Mail(("a@example.cn",), "主题", "正文"))
