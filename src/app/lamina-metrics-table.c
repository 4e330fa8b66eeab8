/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-metrics-table.c: the per-layer metrics table (see
 * lamina-metrics-table.h). Rows are pair indices in a GtkStringList;
 * every column sorts through a custom sorter that reads the figures by
 * index, and the column view's sorter orders the rows.
 */
#define G_LOG_DOMAIN "lamina-metrics-table"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-metrics-table.h"
#include "lamina-column.h"

struct _LaminaMetricsTable
{
  AdwBin              parent_instance;

  /* template */
  GtkLabel           *summary_label;
  GtkDropDown        *metric_dropdown;
  GtkColumnView      *table;

  GtkStringList      *rows;        /* pair indices as strings */
  GtkSortListModel   *sorted;
  GtkSingleSelection *selection;
  GPtrArray          *flt;         /* const LaminaTensor* per pair (borrowed) */
  GPtrArray          *fixed;
  GArray             *metrics;     /* LaminaMetrics per pair */
  gboolean            syncing;     /* selecting from code: no "pair-selected" */
};

G_DEFINE_FINAL_TYPE (LaminaMetricsTable, lamina_metrics_table, ADW_TYPE_BIN)

enum { PROP_0, PROP_COLOR_METRIC, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { PAIR_SELECTED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The columns: two names, then one per metric. */
typedef enum { COL_FLOAT, COL_FIXED, COL_METRIC } ColumnKind;

typedef struct {
  LaminaMetricsTable *self;
  ColumnKind          kind;
  LaminaMetricKind    metric;
} Column;

/* ---- metrics ---------------------------------------------------------------- */

static const struct {
  const char *title;     /* chooser, legend */
  const char *heading;   /* column */
  const char *unit;
  gboolean    higher_is_better;
} metric_info[LAMINA_N_METRICS] = {
  [LAMINA_METRIC_NONE] = { N_("None"), NULL, NULL, FALSE },
  [LAMINA_METRIC_COSINE] = { N_("Cosine"), N_("Cosine"), NULL, TRUE },
  [LAMINA_METRIC_SQNR] = { N_("SQNR"), N_("SQNR (dB)"), "dB", TRUE },
  [LAMINA_METRIC_MSE] = { N_("MSE"), N_("MSE"), NULL, FALSE },
  [LAMINA_METRIC_MAX_ABS] = { N_("Max abs error"), N_("Max abs"), NULL, FALSE },
  [LAMINA_METRIC_CLIPPED] = { N_("Clipped"), N_("Clipped (%)"), "%", FALSE },
};

const char *
lamina_metric_kind_title (LaminaMetricKind kind)
{
  g_return_val_if_fail ((guint) kind < LAMINA_N_METRICS, NULL);
  return _(metric_info[kind].title);
}

const char *
lamina_metric_kind_unit (LaminaMetricKind kind)
{
  g_return_val_if_fail ((guint) kind < LAMINA_N_METRICS, NULL);
  return metric_info[kind].unit;
}

gboolean
lamina_metric_kind_higher_is_better (LaminaMetricKind kind)
{
  g_return_val_if_fail ((guint) kind < LAMINA_N_METRICS, FALSE);
  return metric_info[kind].higher_is_better;
}

double
lamina_metric_kind_value (LaminaMetricKind kind, const LaminaMetrics *m)
{
  switch (kind)
    {
    case LAMINA_METRIC_COSINE:
      return m->cosine;
    case LAMINA_METRIC_SQNR:
      return m->sqnr_db;
    case LAMINA_METRIC_MSE:
      return m->mse;
    case LAMINA_METRIC_MAX_ABS:
      return m->max_abs;
    case LAMINA_METRIC_CLIPPED:
      return m->clipped * 100;
    case LAMINA_METRIC_NONE:
    case LAMINA_N_METRICS:
    default:
      return NAN;
    }
}

/* The text of a figure in the table ('.' decimal point, like all of
 * Lamina's numbers). */
static char *
format_value (LaminaMetricKind kind, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  static const char *const formats[LAMINA_N_METRICS] = {
    [LAMINA_METRIC_COSINE] = "%.5f", [LAMINA_METRIC_SQNR] = "%.2f", [LAMINA_METRIC_MSE] = "%.3g",
    [LAMINA_METRIC_MAX_ABS] = "%.4g", [LAMINA_METRIC_CLIPPED] = "%.2f",
  };

  if (isinf (v))
    return g_strdup (v > 0 ? "∞" : "−∞");
  if (isnan (v) || formats[kind] == NULL)
    return g_strdup ("—");
  return g_strdup (g_ascii_formatd (buf, sizeof buf, formats[kind], v));
}

/* ---- rows ---------------------------------------------------------------------- */

static guint
pair_of_item (gpointer item)
{
  return (guint) g_ascii_strtoull (gtk_string_object_get_string (item), NULL, 10);
}

static const LaminaMetrics *
metrics_of (LaminaMetricsTable *self, guint pair)
{
  return &g_array_index (self->metrics, LaminaMetrics, pair);
}

static const char *
name_of (LaminaMetricsTable *self, ColumnKind kind, guint pair)
{
  const LaminaTensor *t = g_ptr_array_index (kind == COL_FLOAT ? self->flt : self->fixed, pair);

  return t->name;
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, Column *column)
{
  GtkWidget *label = gtk_label_new (NULL);

  if (column->kind == COL_METRIC)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_width_chars (GTK_LABEL (label), 6);
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, Column *column)
{
  LaminaMetricsTable *self = column->self;
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  guint pair = pair_of_item (gtk_list_item_get_item (item));
  g_autofree char *text = NULL;

  if (pair >= self->metrics->len)
    return;
  if (column->kind == COL_METRIC)
    {
      text = format_value (column->metric, lamina_metric_kind_value (column->metric, metrics_of (self, pair)));
      gtk_label_set_text (label, text);
      return;
    }
  gtk_label_set_text (label, name_of (self, column->kind, pair));
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), name_of (self, column->kind, pair));
}

/* NaN sorts last whatever the direction asks for the others. */
static int
compare_doubles (double a, double b)
{
  if (isnan (a) || isnan (b))
    return isnan (a) - isnan (b);
  return (a > b) - (a < b);
}

static int
compare_rows (gconstpointer a, gconstpointer b, gpointer data)
{
  Column *column = data;
  LaminaMetricsTable *self = column->self;
  guint x = pair_of_item ((gpointer) a), y = pair_of_item ((gpointer) b);
  int order;

  if (x >= self->metrics->len || y >= self->metrics->len)
    return (x > y) - (x < y);
  if (column->kind == COL_METRIC)
    order = compare_doubles (lamina_metric_kind_value (column->metric, metrics_of (self, x)),
                             lamina_metric_kind_value (column->metric, metrics_of (self, y)));
  else
    order = g_strcmp0 (name_of (self, column->kind, x), name_of (self, column->kind, y));
  /* ties keep the graph's order */
  return order ? order : (x > y) - (x < y);
}

static GtkColumnViewColumn *
add_column (LaminaMetricsTable *self, ColumnKind kind, LaminaMetricKind metric, const char *title)
{
  Column *column = g_new (Column, 1);
  GtkColumnViewColumn *col;
  g_autoptr(GtkSorter) sorter = NULL;

  *column = (Column) { self, kind, metric };
  col = lamina_column_append (self->table, title, kind != COL_METRIC, G_CALLBACK (setup_cell), G_CALLBACK (bind_cell),
                              NULL, column);
  /* the factory owns the column data */
  g_object_set_data_full (G_OBJECT (gtk_column_view_column_get_factory (col)), "column", column, g_free);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, column, NULL));
  gtk_column_view_column_set_sorter (col, sorter);
  gtk_column_view_column_set_resizable (col, TRUE);
  /* names are ellipsized: narrow enough that every figure fits beside the
   * Compare page's images; they take the room there is */
  if (kind != COL_METRIC)
    gtk_column_view_column_set_fixed_width (col, 96);
  return col;
}

static void
build_columns (LaminaMetricsTable *self)
{
  add_column (self, COL_FLOAT, LAMINA_METRIC_NONE, _("Float tensor"));
  add_column (self, COL_FIXED, LAMINA_METRIC_NONE, _("Fixed tensor"));
  for (guint k = LAMINA_METRIC_COSINE; k < LAMINA_N_METRICS; k++)
    add_column (self, COL_METRIC, k, _(metric_info[k].heading));
}

static GtkColumnViewColumn *
sqnr_column (LaminaMetricsTable *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->table);
  g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, 2 + LAMINA_METRIC_SQNR - LAMINA_METRIC_COSINE);

  return col;
}

/* ---- contents ------------------------------------------------------------------- */

/* "42 tensor pairs, 3 unmatched" */
static void
set_summary (LaminaMetricsTable *self, const LaminaMatch *match, guint n)
{
  g_autofree char *text = NULL, *tip = NULL;
  guint uf = match ? match->unmatched_float->len : 0, ux = match ? match->unmatched_fixed->len : 0;

  if (match != NULL)
    {
      text = g_strdup_printf (ngettext ("%u tensor pair, %u unmatched", "%u tensor pairs, %u unmatched", n),
                              n, uf + ux);
      tip = g_strdup_printf (_("Unmatched: %u float and %u fixed tensors (listed, not guessed)"), uf, ux);
    }
  else if (n > 0)
    text = g_strdup_printf (ngettext ("%u tensor pair", "%u tensor pairs", n), n);
  gtk_label_set_text (self->summary_label, text ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->summary_label), tip);
}

void
lamina_metrics_table_set_layers (LaminaMetricsTable *self, const LaminaMatch *match, const GArray *layers)
{
  guint n;
  g_autoptr(GPtrArray) strings = NULL;

  g_return_if_fail (LAMINA_IS_METRICS_TABLE (self));

  n = layers ? layers->len : 0;
  self->syncing = TRUE;
  /* rows go first: binding reads the arrays */
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), NULL);
  g_ptr_array_set_size (self->flt, 0);
  g_ptr_array_set_size (self->fixed, 0);
  g_array_set_size (self->metrics, 0);
  strings = g_ptr_array_new_full (n + 1, g_free);
  for (guint i = 0; i < n; i++)
    {
      const LaminaCompareLayer *l = &g_array_index (layers, LaminaCompareLayer, i);
      g_ptr_array_add (self->flt, (gpointer) l->pair->flt);
      g_ptr_array_add (self->fixed, (gpointer) l->pair->fixed);
      g_array_append_val (self->metrics, l->metrics);
      g_ptr_array_add (strings, g_strdup_printf ("%u", i));
    }
  g_ptr_array_add (strings, NULL);
  gtk_string_list_splice (self->rows, 0, 0, (const char *const *) strings->pdata);
  self->syncing = FALSE;
  set_summary (self, layers ? match : NULL, n);
}

guint
lamina_metrics_table_get_n_layers (LaminaMetricsTable *self)
{
  g_return_val_if_fail (LAMINA_IS_METRICS_TABLE (self), 0);
  return self->metrics->len;
}

/* ---- selection ------------------------------------------------------------------------ */

int
lamina_metrics_table_get_pair_at (LaminaMetricsTable *self, guint position)
{
  g_autoptr(GObject) item = NULL;

  g_return_val_if_fail (LAMINA_IS_METRICS_TABLE (self), -1);
  item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  return item ? (int) pair_of_item (item) : -1;
}

int
lamina_metrics_table_get_selected (LaminaMetricsTable *self)
{
  guint position;

  g_return_val_if_fail (LAMINA_IS_METRICS_TABLE (self), -1);
  position = gtk_single_selection_get_selected (self->selection);
  return position == GTK_INVALID_LIST_POSITION ? -1 : lamina_metrics_table_get_pair_at (self, position);
}

/* GTK 4.8's column view has no scroll_to: its list view child has the
 * "list.scroll-to-item" action. */
static void
scroll_to (LaminaMetricsTable *self, guint position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->table)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      {
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
        return;
      }
}

gboolean
lamina_metrics_table_select_tensor (LaminaMetricsTable *self, const LaminaTensor *t)
{
  guint n, position = GTK_INVALID_LIST_POSITION;

  g_return_val_if_fail (LAMINA_IS_METRICS_TABLE (self), FALSE);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  for (guint i = 0; t != NULL && i < n && position == GTK_INVALID_LIST_POSITION; i++)
    {
      guint pair = (guint) lamina_metrics_table_get_pair_at (self, i);
      if (g_ptr_array_index (self->flt, pair) == t || g_ptr_array_index (self->fixed, pair) == t)
        position = i;
    }
  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->syncing = FALSE;
  if (position != GTK_INVALID_LIST_POSITION)
    scroll_to (self, position);
  return position != GTK_INVALID_LIST_POSITION;
}

static void
on_selected (LaminaMetricsTable *self)
{
  int pair;

  /* the column view's teardown in dispose re-sorts and reselects */
  if (self->syncing || self->selection == NULL)
    return;
  pair = lamina_metrics_table_get_selected (self);
  g_signal_emit (self, signals[PAIR_SELECTED], 0, pair,
                 pair >= 0 ? g_ptr_array_index (self->flt, pair) : NULL,
                 pair >= 0 ? g_ptr_array_index (self->fixed, pair) : NULL);
}

/* ---- graph colouring ---------------------------------------------------------------------- */

LaminaMetricKind
lamina_metrics_table_get_color_metric (LaminaMetricsTable *self)
{
  guint selected;

  g_return_val_if_fail (LAMINA_IS_METRICS_TABLE (self), LAMINA_METRIC_NONE);
  selected = gtk_drop_down_get_selected (self->metric_dropdown);
  return selected < LAMINA_N_METRICS ? (LaminaMetricKind) selected : LAMINA_METRIC_NONE;
}

void
lamina_metrics_table_set_color_metric (LaminaMetricsTable *self, LaminaMetricKind kind)
{
  g_return_if_fail (LAMINA_IS_METRICS_TABLE (self));
  g_return_if_fail ((guint) kind < LAMINA_N_METRICS);
  gtk_drop_down_set_selected (self->metric_dropdown, kind);
}

static gboolean
is_worse (LaminaMetricKind kind, double a, double b)
{
  return metric_info[kind].higher_is_better ? a < b : a > b;
}

/* Keeps the worse of the node's values. */
static void
add_node_value (GHashTable *values, LaminaMetricKind kind, const LaminaNode *node, double v)
{
  double *old;

  if (node == NULL)
    return;
  old = g_hash_table_lookup (values, node);
  if (old == NULL)
    g_hash_table_insert (values, (gpointer) node, g_memdup2 (&v, sizeof v));
  else if (is_worse (kind, v, *old))
    *old = v;
}

static int
compare_double_asc (gconstpointer a, gconstpointer b)
{
  return compare_doubles (*(const double *) a, *(const double *) b);
}

/* The colour scale's ends: the worst value, and the 90th percentile
 * towards better — one near-perfect layer (an input at 140 dB) would
 * otherwise paint every other layer in the worst colours. */
static void
scale_ends (LaminaMetricKind kind, GArray *finite, double *worst, double *best)
{
  guint n = finite->len;

  if (n == 0)   /* only infinite values (identical tensors) */
    {
      *worst = *best = 0;
      return;
    }
  g_array_sort (finite, compare_double_asc);
  if (metric_info[kind].higher_is_better)
    {
      *worst = g_array_index (finite, double, 0);
      *best = g_array_index (finite, double, (guint) floor (0.9 * (n - 1)));
    }
  else
    {
      *worst = g_array_index (finite, double, n - 1);
      *best = g_array_index (finite, double, (guint) ceil (0.1 * (n - 1)));
    }
}

GHashTable *
lamina_metrics_table_node_values (LaminaMetricsTable *self, gboolean fixed_side, double *worst,
                                  double *best)
{
  LaminaMetricKind kind;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GArray) finite = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (LAMINA_IS_METRICS_TABLE (self), NULL);
  kind = lamina_metrics_table_get_color_metric (self);
  if (kind == LAMINA_METRIC_NONE || self->metrics->len == 0)
    return NULL;
  values = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (guint i = 0; i < self->metrics->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (fixed_side ? self->fixed : self->flt, i);
      double v = lamina_metric_kind_value (kind, metrics_of (self, i));
      if (isnan (v))
        continue;
      add_node_value (values, kind, t->producer, v);
      /* the QDQ form: the QuantizeLinear stands for the operator before it */
      if (fixed_side && t->producer != NULL && g_str_equal (t->producer->op_type, "QuantizeLinear") &&
          t->producer->inputs->len > 0 && g_ptr_array_index (t->producer->inputs, 0) != NULL)
        add_node_value (values, kind, ((LaminaTensor *) g_ptr_array_index (t->producer->inputs, 0))->producer, v);
      if (!isinf (v))
        g_array_append_val (finite, v);
    }
  if (g_hash_table_size (values) == 0)
    return NULL;
  scale_ends (kind, finite, worst, best);
  return g_steal_pointer (&values);
}

void
lamina_metrics_table_apply_to_graph (LaminaMetricsTable *self, LaminaGraphView *view, gboolean fixed_side)
{
  LaminaMetricKind kind;
  g_autoptr(GHashTable) values = NULL;
  double worst = 0, best = 0;

  g_return_if_fail (LAMINA_IS_METRICS_TABLE (self));
  g_return_if_fail (LAMINA_IS_GRAPH_VIEW (view));
  kind = lamina_metrics_table_get_color_metric (self);
  values = lamina_metrics_table_node_values (self, fixed_side, &worst, &best);
  if (values == NULL)
    lamina_graph_view_clear_node_metric (view);
  else
    lamina_graph_view_set_node_metric (view, values, lamina_metric_kind_title (kind),
                                       lamina_metric_kind_unit (kind), worst, best);
}

static void
on_metric_changed (LaminaMetricsTable *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_METRIC]);
}

/* ---- object ---------------------------------------------------------------------------------- */

static void
lamina_metrics_table_dispose (GObject *object)
{
  LaminaMetricsTable *self = LAMINA_METRICS_TABLE (object);

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_METRICS_TABLE);
  g_clear_object (&self->selection);
  g_clear_object (&self->sorted);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (lamina_metrics_table_parent_class)->dispose (object);
}

static void
lamina_metrics_table_finalize (GObject *object)
{
  LaminaMetricsTable *self = LAMINA_METRICS_TABLE (object);

  g_ptr_array_unref (self->flt);
  g_ptr_array_unref (self->fixed);
  g_array_unref (self->metrics);
  G_OBJECT_CLASS (lamina_metrics_table_parent_class)->finalize (object);
}

static void
lamina_metrics_table_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaMetricsTable *self = LAMINA_METRICS_TABLE (object);

  switch (prop_id)
    {
    case PROP_COLOR_METRIC:
      g_value_set_int (value, lamina_metrics_table_get_color_metric (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_metrics_table_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LaminaMetricsTable *self = LAMINA_METRICS_TABLE (object);

  switch (prop_id)
    {
    case PROP_COLOR_METRIC:
      lamina_metrics_table_set_color_metric (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_metrics_table_class_init (LaminaMetricsTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_metrics_table_dispose;
  object_class->finalize = lamina_metrics_table_finalize;
  object_class->get_property = lamina_metrics_table_get_property;
  object_class->set_property = lamina_metrics_table_set_property;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-metrics-table.ui");
  gtk_widget_class_bind_template_child (widget_class, LaminaMetricsTable, summary_label);
  gtk_widget_class_bind_template_child (widget_class, LaminaMetricsTable, metric_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LaminaMetricsTable, table);

  properties[PROP_COLOR_METRIC] = g_param_spec_int ("color-metric", NULL, NULL, 0, LAMINA_N_METRICS - 1,
                                                    LAMINA_METRIC_SQNR,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PAIR_SELECTED] = g_signal_new ("pair-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                         G_TYPE_INT, G_TYPE_POINTER, G_TYPE_POINTER);
}

static void
fill_chooser (LaminaMetricsTable *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  for (guint k = 0; k < LAMINA_N_METRICS; k++)
    gtk_string_list_append (names, _(metric_info[k].title));
  gtk_drop_down_set_model (self->metric_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->metric_dropdown, LAMINA_METRIC_SQNR);
}

static void
lamina_metrics_table_init (LaminaMetricsTable *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->flt = g_ptr_array_new ();
  self->fixed = g_ptr_array_new ();
  self->metrics = g_array_new (FALSE, FALSE, sizeof (LaminaMetrics));
  self->rows = gtk_string_list_new (NULL);
  build_columns (self);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)),
                                          g_object_ref (gtk_column_view_get_sorter (self->table)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sorted)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (self->selection));
  /* worst first */
  gtk_column_view_sort_by_column (self->table, sqnr_column (self), GTK_SORT_ASCENDING);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (on_selected), self);
  fill_chooser (self);
  g_signal_connect_swapped (self->metric_dropdown, "notify::selected", G_CALLBACK (on_metric_changed), self);
}

GtkWidget *
lamina_metrics_table_new (void)
{
  return g_object_new (LAMINA_TYPE_METRICS_TABLE, NULL);
}
