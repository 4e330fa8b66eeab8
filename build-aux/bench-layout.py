#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Layout benchmark: Lamina's own Sugiyama layout against Graphviz dot.

For each ONNX model given, writes the same graph Lamina lays out (one box
per non-Constant node, one per graph input/output, one edge per tensor use)
as a dot file, times `dot -Tplain` on it, and runs
`lamina-cli render MODEL -o /dev/null.svg --timings` for Lamina's layout time.
Prints a table; it never fails on timing (issue 2: measure both, keep the
better one).

Usage: bench-layout.py LAMINA_CLI MODEL.onnx... [--dot-timeout S]
Needs Debian's python3-onnx and graphviz.
"""
import re
import subprocess
import sys
import tempfile
import time

import onnx


def write_dot(model_path, dot_path):
    g = onnx.load(model_path, load_external_data=False).graph
    consts = {i.name for i in g.initializer}
    producer = {}
    with open(dot_path, "w") as f:
        f.write("digraph G {\n  node [shape=box, fontsize=11];\n")
        for i, t in enumerate(g.input):
            if t.name not in consts:
                producer[t.name] = f"in{i}"
                f.write(f'  in{i} [label="{t.name}"];\n')
        for i, n in enumerate(g.node):
            if n.op_type == "Constant":
                consts.update(n.output)
                continue
            rows = sum(1 for x in n.input if x in consts)
            label = n.op_type + "\\l" * rows
            f.write(f'  n{i} [label="{label}"];\n')
            for x in n.input:
                if x in producer:
                    f.write(f"  {producer[x]} -> n{i};\n")
            for y in n.output:
                producer[y] = f"n{i}"
        for i, t in enumerate(g.output):
            f.write(f'  out{i} [label="{t.name}"];\n')
            if t.name in producer:
                f.write(f"  {producer[t.name]} -> out{i};\n")
        f.write("}\n")
    return len(g.node)


def time_dot(dot_path, timeout):
    start = time.monotonic()
    try:
        subprocess.run(["dot", "-Tplain", dot_path, "-o", "/dev/null"], check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return (time.monotonic() - start) * 1000


def time_lamina(cli, model):
    with tempfile.NamedTemporaryFile(suffix=".svg") as out:
        r = subprocess.run([cli, "render", model, "-o", out.name, "--timings"],
                           check=True, capture_output=True, text=True)
    m = re.search(r"layout ([0-9.]+) ms", r.stderr)
    return float(m.group(1))


def main():
    args = sys.argv[1:]
    timeout = 600
    if "--dot-timeout" in args:
        i = args.index("--dot-timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    cli, models = args[0], args[1:]
    print(f"{'model':40} {'nodes':>6} {'lamina ms':>10} {'dot ms':>10} {'dot/lamina':>10}")
    for m in models:
        with tempfile.NamedTemporaryFile(suffix=".dot") as dot:
            n = write_dot(m, dot.name)
            lam = time_lamina(cli, m)
            d = time_dot(dot.name, timeout)
        ds = f"{d:10.0f}" if d is not None else f"  >{timeout:.0f}s"
        ratio = f"{d / lam:10.1f}" if d is not None else "         -"
        print(f"{m.split('/')[-1]:40} {n:6} {lam:10.1f} {ds} {ratio}")


if __name__ == "__main__":
    main()
