"""Hostname callable for the local distributed check: each Celery worker reports its own name
(CI_WORKER_NAME), so the check can see which worker ran which task although both run on one machine."""

import os
import socket


def hostname() -> str:
    return os.environ.get("CI_WORKER_NAME") or socket.getfqdn()
