/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-metrics-table.h: the per-layer metrics of a float/fixed pair of
 * models (issue 6) as a sortable table — float tensor, fixed tensor,
 * cosine, SQNR (dB), MSE, max abs error, clipped (%) — worst SQNR first,
 * with a chooser for the metric that colours the graph's node headers.
 *
 * It is given the measured layers of a comparison (LaminaCompareLayer of
 * quant/lamina-compare.h: a pair of quant/lamina-match.h and its
 * LaminaMetrics); it copies the figures and borrows the pairs' tensors,
 * which must outlive the table's contents.
 */
#pragma once

#include <adwaita.h>
#include "lamina-graph-view.h"
#include "quant/lamina-compare.h"

G_BEGIN_DECLS

/* The figures of a pair, in the table's column order. */
typedef enum {
  LAMINA_METRIC_NONE = 0,   /* for the chooser: no colouring */
  LAMINA_METRIC_COSINE,
  LAMINA_METRIC_SQNR,
  LAMINA_METRIC_MSE,
  LAMINA_METRIC_MAX_ABS,
  LAMINA_METRIC_CLIPPED,    /* in per cent */
  LAMINA_N_METRICS
} LaminaMetricKind;

#define LAMINA_TYPE_METRICS_TABLE (lamina_metrics_table_get_type ())
G_DECLARE_FINAL_TYPE (LaminaMetricsTable, lamina_metrics_table, LAMINA, METRICS_TABLE, AdwBin)

GtkWidget        *lamina_metrics_table_new (void);

/* Shows layers (LaminaCompareLayer, e.g. LaminaCompare.layers) sorted by
 * SQNR, worst first; match (may be NULL) gives the number of unmatched
 * tensors for the summary line. NULL layers clears the table.
 * Wiring: lamina_metrics_table_set_layers (table, c->match, c->layers). */
void              lamina_metrics_table_set_layers (LaminaMetricsTable *self, const LaminaMatch *match,
                                                   const GArray *layers);
guint             lamina_metrics_table_get_n_layers (LaminaMetricsTable *self);

/* Index (into layers) of the selected row, -1 for none. */
int               lamina_metrics_table_get_selected (LaminaMetricsTable *self);
/* Selects the pair whose float or fixed tensor is t (the first in the
 * current order) and scrolls to it; NULL or an unpaired tensor clears the
 * selection and returns FALSE. Does not emit "pair-selected": the graph
 * → table direction does not echo back. */
gboolean          lamina_metrics_table_select_tensor (LaminaMetricsTable *self, const LaminaTensor *t);
/* Index (into layers) of the row at `position` in the current order, or -1. */
int               lamina_metrics_table_get_pair_at (LaminaMetricsTable *self, guint position);

/* The metric the chooser names ("color-metric" property, notified). */
LaminaMetricKind  lamina_metrics_table_get_color_metric (LaminaMetricsTable *self);
void              lamina_metrics_table_set_color_metric (LaminaMetricsTable *self, LaminaMetricKind kind);

/* Title and unit of a metric ("SQNR", "dB"; unit NULL for none), and
 * whether larger values are better (cosine, SQNR). */
const char       *lamina_metric_kind_title (LaminaMetricKind kind);
const char       *lamina_metric_kind_unit (LaminaMetricKind kind);
gboolean          lamina_metric_kind_higher_is_better (LaminaMetricKind kind);
/* The figure of m for kind (clipped in per cent); NaN for NONE. */
double            lamina_metric_kind_value (LaminaMetricKind kind, const LaminaMetrics *m);

/* Node values for lamina_graph_view_set_node_metric: the chosen metric of
 * each pair keyed by the node that produces its float tensor (fixed_side
 * FALSE, for the float graph) or its fixed tensor (TRUE; when that node is
 * a QuantizeLinear, also the node whose output it quantizes). A node with
 * several pairs takes the worst. worst/best, the colour scale's ends: the
 * worst value over all pairs, and the 90th percentile towards better (so
 * one near-perfect layer does not wash out the others; better values take
 * the best colour). NULL when the metric is NONE or there is nothing to
 * colour. */
GHashTable       *lamina_metrics_table_node_values (LaminaMetricsTable *self, gboolean fixed_side,
                                                    double *worst, double *best);
/* Colours view's graph by the chosen metric (set_node_metric with the
 * values above), or clears its colouring for NONE. */
void              lamina_metrics_table_apply_to_graph (LaminaMetricsTable *self, LaminaGraphView *view,
                                                       gboolean fixed_side);

/* Signals:
 *   "pair-selected" (int index, gpointer float_tensor, gpointer fixed_tensor):
 *       the user selected a row (index into layers; -1 and NULLs when the
 *       selection was cleared). The tensors are const LaminaTensor*. */

G_END_DECLS
