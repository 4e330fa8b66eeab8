/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-search.h: finds nodes by name or operator type and tensors by name
 * (case-insensitive substring). Plain C over the IR, no GTK: tested headless.
 */
#pragma once

#include <glib.h>
#include "graph/lamina-graph.h"

G_BEGIN_DECLS

typedef enum {
  LAMINA_MATCH_NODE_NAME,
  LAMINA_MATCH_OP_TYPE,
  LAMINA_MATCH_TENSOR,
} LaminaMatchKind;

typedef struct {
  LaminaMatchKind kind;
  LaminaNode     *node;    /* the node to show: the match, or the tensor's producer/consumer */
  LaminaTensor   *tensor;  /* for LAMINA_MATCH_TENSOR */
} LaminaSearchMatch;

/* Matches in file order: nodes whose name or op type contains query, then
 * tensors whose name does. At most max_results are returned; *n_total (may
 * be NULL) receives the number of all matches. An empty query matches
 * nothing. Returns an array of LaminaSearchMatch. */
GArray *lamina_search_graph (LaminaGraph *graph, const char *query, guint max_results, guint *n_total);

G_END_DECLS
