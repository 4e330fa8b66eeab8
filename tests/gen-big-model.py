#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a large ONNX model for the layout benchmark (issue 2: 10,000 nodes).

The graph looks like a real network, not a chain: residual blocks of
Conv → BatchNormalization → Relu with a skip Add, every fourth block a
two-branch Inception-style split joined by Concat, and a detection-head
style fan-out at the end. Weights are tiny (8 channels, 1×1) so the file
stays small; only the structure matters for layout.

Usage: gen-big-model.py OUT.onnx [NODES]   (needs Debian's python3-onnx)
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

C = 8


class Builder:
    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, prefix):
        self.n += 1
        return f"{prefix}_{self.n}"

    def const(self, shape):
        t = numpy_helper.from_array(np.full(shape, 0.01, np.float32), self.name("w"))
        self.inits.append(t)
        return t.name

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=self.name("n"), **attrs))
        return out

    def conv_bn_relu(self, x):
        y = self.op("Conv", [x, self.const([C, C, 1, 1])], kernel_shape=[1, 1])
        y = self.op("BatchNormalization", [y] + [self.const([C]) for _ in range(4)])
        return self.op("Relu", [y])

    def block(self, x, index):
        if index % 4 == 3:
            a = self.conv_bn_relu(x)
            b = self.conv_bn_relu(self.conv_bn_relu(x))
            y = self.op("Concat", [a, b], axis=1)
            return self.op("Conv", [y, self.const([C, 2 * C, 1, 1])], kernel_shape=[1, 1])
        y = self.conv_bn_relu(self.conv_bn_relu(x))
        return self.op("Add", [x, y])


def main():
    out = sys.argv[1]
    target = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    b = Builder()
    x = "input"
    i = 0
    while len(b.nodes) < target - 8:
        x = b.block(x, i)
        i += 1
    heads = [b.op("Sigmoid", [x]) for _ in range(max(1, target - len(b.nodes) - 1))]
    b.nodes.append(helper.make_node("Concat", heads, ["output"], name="head", axis=1))
    graph = helper.make_graph(
        b.nodes, "big",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, C, 16, 16])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, None)],
        b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="lamina gen-big-model.py")
    onnx.save(model, out)
    print(f"{out}: {len(b.nodes)} nodes")


if __name__ == "__main__":
    main()
