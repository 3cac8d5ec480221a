"""The embedded broker (`make run`, no server): kombu's filesystem transport, with messages
written atomically.

kombu writes a message straight into the queue folder, where a polling worker can move and
read it before a byte is written: an empty payload, a JSONDecodeError that stops the
worker's consumer, and a lost task. Here each message is written beside the queue folder
under a name no consumer looks at, then renamed into place: a rename within one file system
is atomic, so a consumer sees a whole message or none.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
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


class Transport(filesystem.Transport):
    Channel = Channel
