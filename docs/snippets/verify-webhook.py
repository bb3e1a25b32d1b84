#!/usr/bin/env python3
"""Verify a worker-manager webhook call: python3 verify-webhook.py SECRET TIMESTAMP SIGNATURE < body.

Exit code 0 when the signature is valid and the timestamp recent, 1 otherwise.
"""
import hashlib
import hmac
import sys
import time


def verify(secret: str, timestamp: str, signature: str, body: bytes, tolerance: int = 300) -> bool:
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old (or from the future): a replay
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + mac.hexdigest(), signature)


if __name__ == "__main__":
    secret, timestamp, signature = sys.argv[1:4]
    sys.exit(0 if verify(secret, timestamp, signature, sys.stdin.buffer.read()) else 1)
