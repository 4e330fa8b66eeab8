/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-shape-infer.h: shapes for tensors whose file stores none (ONNX
 * files often omit value_info), so the graph's edges can be labelled.
 */
#pragma once

#include "lamina-graph.h"

G_BEGIN_DECLS

/* Fills unknown output shapes (and dtypes) of common ONNX operators from
 * their inputs, in topological order. Shapes an exporter computes in the
 * graph (Shape → Gather → Concat → Reshape ...) are followed by tracking
 * the values of small tensors while inference runs; the graph gains no
 * constants. Never overwrites a stated shape; what cannot be inferred
 * stays unknown. */
void     lamina_graph_infer_shapes (LaminaGraph *graph);

/* For tests: the dispatch table is in strcmp order (bsearch needs it). */
gboolean lamina_shape_infer_table_is_sorted (void);

G_END_DECLS
