"""The embedded broker (`make run`, no server): kombu's filesystem transport, with messages
written atomically.

kombu writes a message straight into the queue folder, where a polling worker can move and
read it before a byte is written: an empty payload, a JSONDecodeError that stops the
worker's consumer, and a lost task. Here each message is written beside the queue folder
under a name no consumer looks at, then renamed into place: a rename within one file system
is atomic, so a consumer sees a whole message or none.

kombu's virtual transports take from a worker's queues in turn; here a worker takes from the
first of its queues (in -Q order, settings.CELERY_TASK_QUEUES without -Q) that has a message,
as Redis does with queue_order_strategy "priority": a summary compile never waits behind the
unit prints queued before it.
"""

import os
import uuid
from time import monotonic_ns

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.transport.virtual.base import Empty
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # kombu takes a queue's messages in the order of their names: a nanosecond clock,
        # zero-padded, keeps them first in, first out even when several come in one millisecond.
        name = f"{monotonic_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")  # never matches `<queue>.msg`
        try:
            with open(partial, "wb") as handle:
                handle.write(dumps(payload).encode())
                handle.flush()
                os.fsync(handle.fileno())  # on disk before it is visible, even across a power cut
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _poll(self, cycle, callback, timeout=None):
        for queue in self._active_queues:  # in the order the worker consumes them, first first
            try:
                return self._get_and_deliver(queue, callback)
            except Empty:
                continue
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
