/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-graph-view.h: the graph canvas. Draws the scene of a document with
 * liblamina's renderer, maps pointer, touch and keyboard input onto a
 * LaminaViewport, and selects boxes. Its "canvas" action group (zoom-in,
 * zoom-out, zoom-reset, zoom-fit) is meant to be inserted into the window.
 */
#pragma once

#include <gtk/gtk.h>
#include "lamina-document.h"
#include "lamina-scene.h"
#include "lamina-viewport.h"
#include "render/lamina-render.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_GRAPH_VIEW (lamina_graph_view_get_type ())
G_DECLARE_FINAL_TYPE (LaminaGraphView, lamina_graph_view, LAMINA, GRAPH_VIEW, GtkWidget)

GtkWidget      *lamina_graph_view_new (void);

/* Lays out the main graph of document in a worker thread (cancelling any
 * layout in progress) and shows it when done. NULL clears the view. */
void            lamina_graph_view_set_document (LaminaGraphView *self, LaminaDocument *document);
/* Same for one graph of document (a subgraph); NULL graph: the main one. */
void            lamina_graph_view_show_graph   (LaminaGraphView *self, LaminaDocument *document,
                                                LaminaGraph *graph);
LaminaDocument *lamina_graph_view_get_document (LaminaGraphView *self);
/* The scene shown, or NULL while there is none (or the layout runs). */
LaminaScene    *lamina_graph_view_get_scene    (LaminaGraphView *self);
LaminaViewport *lamina_graph_view_get_viewport (LaminaGraphView *self);
GActionGroup   *lamina_graph_view_get_actions  (LaminaGraphView *self);

/* Index of the selected box of the scene's layout, or -1. */
int             lamina_graph_view_get_selected (LaminaGraphView *self);
/* Selects a box (-1: none) and, when center is TRUE, scrolls it to the centre. */
void            lamina_graph_view_select       (LaminaGraphView *self, int box, gboolean center);
/* Index of the selected edge of the layout, or -1. Selecting an edge
 * clears the box selection and the other way round. */
int             lamina_graph_view_get_selected_edge (LaminaGraphView *self);
void            lamina_graph_view_select_edge  (LaminaGraphView *self, int edge);

/* Simulator state per box (LaminaBoxMark, one per box of the scene's
 * layout; NULL: none). The view keeps a reference; call again with the
 * same array after changing it in place. A new scene drops the marks. */
void            lamina_graph_view_set_marks    (LaminaGraphView *self, GArray *marks);

/* Metric colouring (issue 6): values maps const LaminaNode* (of the
 * graph shown) to double* — e.g. g_hash_table_new_full (NULL, NULL, NULL,
 * g_free); the view keeps a reference and reads it again for every new
 * scene of the same document. Each node's header takes the inferno colour
 * of its value between best and worst (lamina_render_metric_position:
 * worst is the brightest; worst < best when lower is worse, as for SQNR),
 * nodes without a value a grey header, and the value is written under
 * the node. A legend in the canvas' top-left corner shows title (unit),
 * the colour bar with best, middle and worst numbers, and the grey of
 * "no value". Showing another document clears it. */
void            lamina_graph_view_set_node_metric   (LaminaGraphView *self, GHashTable *values,
                                                     const char *title, const char *unit,
                                                     double worst, double best);
void            lamina_graph_view_clear_node_metric (LaminaGraphView *self);
/* Also the read-only property "has-node-metric" (notified). */
gboolean        lamina_graph_view_has_node_metric   (LaminaGraphView *self);
/* The value drawn for box (NaN for none, or without a metric). */
double          lamina_graph_view_get_box_metric    (LaminaGraphView *self, int box);

/* Index of the box drawn for node: its own, or for a folded constant the
 * box of its first consumer; -1 when the node is not in the scene. */
int             lamina_graph_view_find_box     (LaminaGraphView *self, const LaminaNode *node);
/* Selects (and centres) the box drawn for node; FALSE when there is none. */
gboolean        lamina_graph_view_select_node  (LaminaGraphView *self, const LaminaNode *node);

void            lamina_graph_view_zoom_to_fit  (LaminaGraphView *self);

/* Monotonic time (µs) at which the first frame with the scene was painted,
 * 0 before that. */
gint64          lamina_graph_view_get_first_frame_time (LaminaGraphView *self);

G_END_DECLS
