"""Reading and writing batch frames (design 5.2) in Python, with the standard library only.

A worker in Python receives a job batch (AMQP contentType application/vnd.wm.batch, header
wm-batch = item count) and answers with a response batch. This script does the frame part:
it reads a job batch frame on stdin and writes on stdout a response batch frame that answers
every job SUCCESS with its body upper-cased. Publish that with contentType
application/vnd.wm.batch and header wm-batch = the number of items.

    python3 frame.py < job-batch.bin > response-batch.bin
"""
import json
import struct
import sys
import uuid


def read_frame(data: bytes) -> list[tuple[dict, bytes]]:
    """Items of a frame: (header object, body bytes), in order. Raises ValueError when malformed."""
    items, offset = [], 0
    while offset < len(data):
        if len(data) - offset < 4:
            raise ValueError(f"item {len(items)}: truncated header length at offset {offset}")
        (header_length,) = struct.unpack_from(">I", data, offset)
        header_bytes = data[offset + 4 : offset + 4 + header_length]
        offset += 4 + header_length
        if len(header_bytes) != header_length or len(data) - offset < 4:
            raise ValueError(f"item {len(items)}: header runs past the end of the frame")
        (body_length,) = struct.unpack_from(">I", data, offset)
        body = data[offset + 4 : offset + 4 + body_length]
        offset += 4 + body_length
        if len(body) != body_length:
            raise ValueError(f"item {len(items)}: body runs past the end of the frame")
        header = json.loads(header_bytes.decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError(f"item {len(items)}: header is not a JSON object")
        items.append((header, body))
    return items


def write_frame(items: list[tuple[dict, bytes]]) -> bytes:
    """One frame of (header object, body bytes) items: uint32 BE lengths before each part."""
    frame = bytearray()
    for header, body in items:
        encoded = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        frame += struct.pack(">I", len(encoded)) + encoded + struct.pack(">I", len(body)) + body
    return bytes(frame)


def answer(job: dict, body: bytes) -> tuple[dict, bytes]:
    """A SUCCESS response item for a job item: echo the request id, attempt (fencing) and step."""
    header = {
        "messageId": str(uuid.uuid4()),
        "contentType": "text/plain",
        "wm-request-id": job["wm-request-id"],
        "wm-attempt": job["wm-attempt"],
        "wm-step": job["wm-step"],
        "wm-status": "SUCCESS",
        "wm-worker-type": job["wm-worker-type"],
        "wm-worker-id": "python-example-1",
    }
    if "correlationId" in job:
        header["correlationId"] = job["correlationId"]
    return header, body.upper()


if __name__ == "__main__":
    jobs = read_frame(sys.stdin.buffer.read())
    sys.stdout.buffer.write(write_frame([answer(header, body) for header, body in jobs]))
    print(f"answered {len(jobs)} jobs", file=sys.stderr)
