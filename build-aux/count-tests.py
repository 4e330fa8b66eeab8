#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts GLib test cases (TAP subtests) in a meson testlog.json.

Prints "P passed, F failed, S skipped". A test program that crashed or timed
out counts as one failure on top of whatever cases it reported.
"""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        entry = json.loads(line)
        out = entry.get("stdout") or ""
        cases = re.findall(r"^(ok|not ok) \d+ ([^\n]*)$", out, re.M)
        for status, rest in cases:
            if status == "not ok" and "# TODO" not in rest:
                failed += 1
            elif "# SKIP" in rest:
                skipped += 1
            else:
                passed += 1
        result = entry.get("result")
        if result in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS") and not any(s == "not ok" for s, _ in cases):
            failed += 1
        elif not cases:
            if result == "OK":
                passed += 1
            elif result == "SKIP":
                skipped += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
