/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-quant-private.h: graph rewriting shared by BatchNormalization
 * folding and the quantizer. Both build a new model from a source model
 * node by node (the IR has no node removal): tensors are copied by name,
 * constant data shared by reference.
 */
#pragma once

#include "graph/lamina-graph.h"

G_BEGIN_DECLS

/* A new ONNX model with src's opsets, metadata, producer, description and
 * an empty main graph of the same name. */
LaminaModel  *lamina_rewrite_model_shell (const LaminaModel *src);
/* The tensor of dst called t->name, created as a copy of t (dtype, shape,
 * quant, data, doc; not producer or consumers) if absent. */
LaminaTensor *lamina_rewrite_tensor (LaminaGraph *dst, const LaminaTensor *t);
/* A new float32 constant of dst (a unique name based on `name`). */
LaminaTensor *lamina_rewrite_constant (LaminaGraph *dst, const char *name, LaminaDType dtype,
                                       int rank, const gint64 *dims, GBytes *data);
/* Adds a copy of n (name, op, domain, doc, attributes) to dst with no
 * inputs or outputs; fails for subgraph attributes. */
LaminaNode   *lamina_rewrite_node (LaminaGraph *dst, const LaminaNode *n, GError **error);
/* Copies n with its inputs and outputs mapped by name. */
LaminaNode   *lamina_rewrite_node_as_is (LaminaGraph *dst, const LaminaNode *n, GError **error);
/* Graph inputs and outputs of src by name, link, shape inference. */
gboolean      lamina_rewrite_finish (LaminaGraph *dst, const LaminaGraph *src, GError **error);

/* The opset of the default ONNX domain (0 when absent). */
gint64        lamina_model_default_opset (const LaminaModel *model);

G_END_DECLS
