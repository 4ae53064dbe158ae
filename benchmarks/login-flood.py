#!/usr/bin/env python3
"""A real user's login latency while many clients flood POST /auth/login with unknown usernames.

Start a server that believes X-Forwarded-For from this machine, so the flood and the user can come
from addresses of their own (the user from 192.0.2.1, the flood from `--addresses` others):

    TRUSTED_PROXIES=127.0.0.1 ecommerce serve --port 8080
    python3 benchmarks/login-flood.py --url http://127.0.0.1:8080 --flood 120 --seconds 20
    python3 benchmarks/login-flood.py --url http://127.0.0.1:8080 --flood 120 --addresses 120

It registers one user, then signs it in every half second while `--flood` threads sign in with
unknown usernames as fast as they are answered, and prints the user's latencies and every status
seen. From one address the per-address limit (AUTH_RATE_LIMIT) soon answers the flood 429 for
nothing; from as many addresses as threads only the bounded password-check queue stands between the
flood and the user, who is then answered at once, 200 or 503 (retry after a second), never after a
long wait. Only the standard library is needed.
"""
import argparse
import http.client
import json
import os
import statistics
import threading
import time
import urllib.parse
from collections import Counter


def post(url, path, body, forwarded_for):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)
    try:
        started = time.monotonic()
        connection.request("POST", path, json.dumps(body),
                           {"Content-Type": "application/json", "X-Forwarded-For": forwarded_for})
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except OSError:
        return "error", time.monotonic() - started
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--flood", type=int, default=120, help="concurrent clients with unknown usernames")
    parser.add_argument("--seconds", type=float, default=20, help="how long the flood lasts")
    parser.add_argument("--addresses", type=int, default=1, help="client addresses the flood comes from")
    args = parser.parse_args()

    name = f"real-user-{os.getpid()}"
    password = "a real user's password"
    status, _ = post(args.url, "/auth/register", {"name": name, "email": f"{name}@example.com", "phone": "5551234567",
                                                   "username": name, "password": password}, "192.0.2.1")
    if status != 201:
        raise SystemExit(f"registering {name} answered {status}")

    stop = time.monotonic() + args.seconds
    flood_statuses = Counter()
    lock = threading.Lock()

    def flood(index):
        slot = index % max(1, args.addresses)
        address = f"10.{slot // 250}.{slot % 250}.1"
        attempt = 0
        while time.monotonic() < stop:
            attempt += 1
            status, _ = post(args.url, "/auth/login", {"username": f"nobody-{index}-{attempt}", "password": "wrong password"}, address)
            with lock:
                flood_statuses[status] += 1

    threads = [threading.Thread(target=flood, args=(index,), daemon=True) for index in range(args.flood)]
    for thread in threads:
        thread.start()
    time.sleep(min(1.0, args.seconds / 4))  # let the flood build up

    latencies, user_statuses = [], Counter()
    while time.monotonic() < stop:
        status, seconds = post(args.url, "/auth/login", {"username": name, "password": password}, "192.0.2.1")
        latencies.append(seconds)
        user_statuses[status] += 1
        time.sleep(0.5)
    for thread in threads:
        thread.join()

    latencies.sort()
    print(f"flood: {args.flood} clients from {args.addresses} address(es) for {args.seconds:g} s: {dict(flood_statuses)}")
    print(f"real user: {len(latencies)} logins {dict(user_statuses)}; latency "
          f"median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {latencies[int(len(latencies) * 0.95) - 1 if len(latencies) > 1 else 0] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
