"""The embedded broker: a worker polling the queue folder never reads a half-written message."""

import os

import pytest
from kombu import Connection
from kombu.transport.virtual.base import Empty

from emulation import broker


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    with Connection("filesystem://", transport="emulation.broker:Transport", transport_options=options) as connection:
        yield connection.default_channel


def test_the_project_uses_it_for_filesystem_brokers(settings):
    from emulation.celery import app

    assert settings.CELERY_BROKER_URL == "filesystem://"
    assert type(app.connection_for_write().transport) is broker.Transport


def test_a_message_is_out_of_sight_until_it_is_whole(channel, monkeypatch):
    replace = os.replace
    seen_while_writing, renamed = [], []

    def check_then_replace(source, target):
        with open(source, "rb") as handle:
            assert handle.read(), "the payload is written before the rename"
        try:
            seen_while_writing.append(channel._get("celery"))  # a worker polling at this moment
        except Empty:
            pass
        replace(source, target)
        renamed.append(target)

    monkeypatch.setattr(broker.os, "replace", check_then_replace)
    channel._put("celery", {"body": "thông điệp", "n": 1})
    assert len(renamed) == 1 and seen_while_writing == []
    assert channel._get("celery") == {"body": "thông điệp", "n": 1}
    assert os.listdir(channel.data_folder_in) == []  # nothing partial left behind
    with pytest.raises(Empty):
        channel._get("celery")


def test_the_embedded_broker_takes_from_the_first_queue_that_has_a_message(channel):
    delivered = []
    for queue in ("summary", "prints", "background"):
        channel.basic_consume(queue, no_ack=True, callback=lambda message: None, consumer_tag=queue)
    for n in range(3):
        channel._put("prints", {"n": f"print {n}"})
    channel._put("background", {"n": "annex"})
    channel._put("summary", {"n": "compile"})

    def take():
        channel._poll(channel.cycle, lambda message, queue: delivered.append((queue, message["n"])))

    take()
    channel._put("summary", {"n": "part 1"})  # queued by the compile while the prints wait
    for _ in range(5):
        take()
    assert delivered == [
        ("summary", "compile"),
        ("summary", "part 1"),
        ("prints", "print 0"),
        ("prints", "print 1"),
        ("prints", "print 2"),
        ("background", "annex"),
    ]
    with pytest.raises(Empty):
        take()
