/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tensor-view.c: the tensor page of the side panel (see
 * lamina-tensor-view.h).
 *
 * The value is held in an atomic reference-counted box so that the
 * statistics thread and a running save can read it while the user moves on
 * to another tensor. The value table is a GtkColumnView over an index
 * model: rows format their element from their position when shown.
 */
#define G_LOG_DOMAIN "lamina-tensor-view"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-tensor-view.h"
#include "lamina-feature-map.h"
#include "lamina-histogram.h"
#include "lamina-index-model.h"
#include "ops/lamina-convert.h"
#include "quant/lamina-metrics.h"
#include "sim/lamina-npy.h"
#include "lamina-column.h"

enum { STAT_COUNT, STAT_ZEROS, STAT_MIN, STAT_MAX, STAT_MEAN, STAT_STD, STAT_NAN, STAT_INF, N_STATS };

static const char *const stat_names[N_STATS] = {
  N_("Elements"), N_("Zeros"), N_("Min"), N_("Max"), N_("Mean"), N_("Std"), N_("NaN"), N_("Inf"),
};

struct _LaminaTensorView
{
  AdwBin              parent_instance;

  /* template */
  GtkLabel           *title_label;
  GtkLabel           *subtitle_label;
  GtkLabel           *status_label;
  GtkWidget          *save_button;
  GtkGrid            *stats_grid;
  LaminaHistogram    *histogram;
  GtkLabel           *compare_label;
  GtkWidget          *map_box;
  GtkLabel           *map_label;
  LaminaFeatureMap   *feature_map;
  GtkLabel           *values_label;
  GtkWidget          *values_frame;
  GtkColumnView      *values_view;

  GtkLabel           *stats[N_STATS];
  const LaminaTensor *tensor;
  LaminaValue        *value;      /* atomic rc box, NULL without value */
  LaminaValue        *flt;        /* compare mode: the float value (rc box), else NULL */
  LaminaQuant        *quant;      /* compare mode: dequantizes value (owned), may be NULL */
  gboolean            nhwc;
  gboolean            has_stats;
  LaminaTensorStats   stats_data;
  guint               n_channels;
  GCancellable       *cancellable;
};

G_DEFINE_FINAL_TYPE (LaminaTensorView, lamina_tensor_view, ADW_TYPE_BIN)

/* ---- the value box ---------------------------------------------------------- */

static LaminaValue *
value_box_take (LaminaValue *value)
{
  LaminaValue *box = g_atomic_rc_box_new0 (LaminaValue);

  *box = *value;
  memset (value, 0, sizeof *value);
  return box;
}

static void
value_box_release (LaminaValue *box)
{
  g_atomic_rc_box_release_full (box, (GDestroyNotify) lamina_value_clear);
}

/* ---- formatting ---------------------------------------------------------------- */

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* '.' in every locale, like the rest of the numbers Lamina prints */
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

/* "[0, 3, 12, 5]" for element i of a row-major value. */
static char *
format_index (const LaminaValue *v, gint64 i)
{
  gint64 coords[LAMINA_MAX_RANK];
  GString *s = g_string_new ("[");

  for (int d = v->rank - 1; d >= 0; d--)
    {
      coords[d] = v->dims[d] > 0 ? i % v->dims[d] : 0;
      i = v->dims[d] > 0 ? i / v->dims[d] : 0;
    }
  for (int d = 0; d < v->rank; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? ", " : "", coords[d]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static char *
shape_text (const LaminaTensor *t, const LaminaValue *v)
{
  GString *s;

  if (v == NULL)
    return lamina_shape_to_string (&t->shape);
  s = g_string_new (NULL);
  for (int i = 0; i < v->rank; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "×" : "", v->dims[i]);
  return g_string_free (s, FALSE);
}

/* ---- value table ------------------------------------------------------------------ */

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gboolean right = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "right"));

  gtk_label_set_xalign (GTK_LABEL (label), right ? 1.0 : 0.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

static void
bind_index (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaTensorView *self)
{
  guint pos = gtk_list_item_get_position (item);
  g_autofree char *text = NULL;

  if (self->value != NULL && pos < self->value->numel)
    text = format_index (self->value, pos);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text ? text : "");
}

static void
bind_value (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaTensorView *self)
{
  guint pos = gtk_list_item_get_position (item);
  g_autofree char *text = NULL;

  if (self->value != NULL && pos < self->value->numel)
    text = format_number (lamina_value_get_double (self->value, pos));
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text ? text : "");
}

static void
add_column (LaminaTensorView *self, const char *title, GCallback bind, gboolean right, gboolean expand)
{
  GtkColumnViewColumn *column = lamina_column_append (self->values_view, title, expand, G_CALLBACK (setup_cell), bind,
                                                      NULL, self);

  g_object_set_data (G_OBJECT (gtk_column_view_column_get_factory (column)), "right", GINT_TO_POINTER (right));
}

static void
set_table (LaminaTensorView *self)
{
  gint64 n = self->value ? self->value->numel : 0;
  g_autoptr(LaminaIndexModel) model = lamina_index_model_new ((guint) CLAMP (n, 0, G_MAXUINT));
  g_autofree char *count = g_strdup_printf ("%'" G_GINT64_FORMAT, n);
  g_autofree char *title = g_strdup_printf (_("Values (%s)"), count);

  gtk_column_view_set_model (self->values_view, GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_steal_pointer (&model)))));
  gtk_label_set_text (self->values_label, title);
  gtk_widget_set_visible (GTK_WIDGET (self->values_label), n > 0);
  gtk_widget_set_visible (self->values_frame, n > 0);
}

/* ---- statistics and feature map (worker) -------------------------------------------------- */

/* Compare mode's figures: float vs the fixed value dequantized. */
typedef struct {
  LaminaHistogramPair hist;
  double              range_lo, range_hi;   /* NaN without quantization */
  LaminaMetrics       metrics;
  double              unused;               /* share of the range outside the float values */
  char               *error;
} PairAnalysis;

typedef struct {
  LaminaValue       *value;   /* a reference on the box */
  LaminaValue       *flt;     /* compare mode: a reference on the float box */
  LaminaQuant       *quant;   /* compare mode: a copy */
  gboolean           nhwc;
  gboolean           ok;
  LaminaTensorStats  stats;
  char              *error;
  LaminaFeatureGrid *grid;
  PairAnalysis       pair;
} Analysis;

static void
analysis_free (Analysis *a)
{
  value_box_release (a->value);
  g_clear_pointer (&a->flt, value_box_release);
  lamina_quant_free (a->quant);
  g_free (a->error);
  g_free (a->pair.error);
  lamina_feature_grid_free (a->grid);
  g_free (a);
}

/* The share of [lo, hi] outside the finite values of f: range the
 * quantization spends on values that never occur. */
static double
unused_share (const float *f, gint64 n, double lo, double hi)
{
  double fmin = INFINITY, fmax = -INFINITY, used;

  for (gint64 i = 0; i < n; i++)
    if (isfinite (f[i]))
      {
        fmin = MIN (fmin, f[i]);
        fmax = MAX (fmax, f[i]);
      }
  if (!(hi > lo) || fmin > fmax)
    return NAN;
  used = MAX (0.0, MIN (fmax, hi) - MAX (fmin, lo));
  return 1 - used / (hi - lo);
}

static void
analyse_pair (Analysis *a)
{
  PairAnalysis *p = &a->pair;
  g_autoptr(GError) error = NULL;
  g_autofree float *deq = NULL;
  g_autofree gpointer tmp = NULL;
  const float *f;
  LaminaMetricsAcc acc;

  p->range_lo = p->range_hi = NAN;
  if (a->quant != NULL)
    lamina_quant_real_range (a->quant, a->value->dtype, &p->range_lo, &p->range_hi);
  lamina_metrics_acc_init (&acc);
  if (!lamina_metrics_add (&acc, a->flt, a->value, a->quant, &error) ||
      (deq = lamina_dequantize (a->value, a->quant, &error)) == NULL)
    {
      p->error = g_strdup (error->message);
      return;
    }
  lamina_metrics_compute (&acc, &p->metrics);
  f = lamina_convert_view (a->flt, LAMINA_DTYPE_FLOAT32, &tmp);
  lamina_histogram_pair_compute (f, (gsize) a->flt->numel, deq, (gsize) a->value->numel,
                                 p->range_lo, p->range_hi, &p->hist);
  p->unused = unused_share (f, a->flt->numel, p->range_lo, p->range_hi);
}

static void
analysis_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Analysis *a = task_data;
  g_autoptr(GError) error = NULL;

  a->ok = lamina_value_stats (a->value, &a->stats, &error);
  if (!a->ok)
    a->error = g_strdup (error->message);
  if (a->flt != NULL && !g_cancellable_is_cancelled (cancellable))
    analyse_pair (a);
  if (!g_cancellable_is_cancelled (cancellable))
    a->grid = lamina_feature_grid_new (a->value, a->nhwc);
  g_task_return_boolean (task, TRUE);
}

static void
set_stat (LaminaTensorView *self, guint i, char *text)
{
  gtk_label_set_text (self->stats[i], text ? text : "—");
  g_free (text);
}

static void
fill_stats (LaminaTensorView *self, const LaminaTensorStats *st)
{
  set_stat (self, STAT_COUNT, g_strdup_printf ("%'" G_GINT64_FORMAT, st->count));
  set_stat (self, STAT_ZEROS, g_strdup_printf ("%.1f %%", st->zero_fraction * 100));
  set_stat (self, STAT_MIN, format_number (st->min));
  set_stat (self, STAT_MAX, format_number (st->max));
  set_stat (self, STAT_MEAN, format_number (st->mean));
  set_stat (self, STAT_STD, format_number (st->std));
  set_stat (self, STAT_NAN, g_strdup_printf ("%" G_GINT64_FORMAT, st->n_nan));
  set_stat (self, STAT_INF, g_strdup_printf ("%" G_GINT64_FORMAT, st->n_inf));
  /* non-finite values are what one looks for: make them stand out */
  if (st->n_nan + st->n_inf > 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->stats[STAT_NAN]), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->stats[STAT_INF]), "error");
    }
}

static char *
format_percent (double share)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f", share * 100));
}

/* "Range [−3.2, 5.1] · SQNR 23.4 dB · 0.80 % of float values clipped ·
 * 42.00 % of the range unused" */
static void
show_pair_figures (LaminaTensorView *self, const PairAnalysis *p)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *sqnr = NULL, *clipped = format_percent (p->metrics.clipped);

  if (p->error != NULL)
    {
      gtk_label_set_text (self->compare_label, p->error);
      gtk_widget_set_visible (GTK_WIDGET (self->compare_label), TRUE);
      return;
    }
  lamina_histogram_set_pair (self->histogram, &p->hist, p->range_lo, p->range_hi);
  sqnr = isinf (p->metrics.sqnr_db) ? g_strdup ("∞") : format_number (p->metrics.sqnr_db);
  if (!isnan (p->range_lo))
    {
      g_autofree char *lo = format_number (p->range_lo), *hi = format_number (p->range_hi);
      g_string_append_printf (text, _("Quantization range [%s, %s]"), lo, hi);
      g_string_append (text, " · ");
    }
  g_string_append_printf (text, _("SQNR %s dB"), sqnr);
  g_string_append (text, " · ");
  g_string_append_printf (text, _("%s %% of float values clipped"), clipped);
  if (!isnan (p->unused))
    {
      g_autofree char *unused = format_percent (p->unused);
      g_string_append (text, " · ");
      g_string_append_printf (text, _("%s %% of the range unused"), unused);
    }
  gtk_label_set_text (self->compare_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->compare_label), TRUE);
}

static void
on_analysis_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LaminaTensorView *self = LAMINA_TENSOR_VIEW (source);
  Analysis *a = g_task_get_task_data (G_TASK (result));

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  g_clear_object (&self->cancellable);
  if (a->ok)
    {
      self->stats_data = a->stats;
      self->has_stats = TRUE;
      fill_stats (self, &a->stats);
      lamina_histogram_set_stats (self->histogram, &a->stats);
      gtk_widget_set_visible (GTK_WIDGET (self->histogram), TRUE);
    }
  if (a->flt != NULL)
    show_pair_figures (self, &a->pair);
  else
    {
      gtk_label_set_text (self->status_label, a->error);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
    }
  if (a->grid != NULL)
    {
      g_autofree char *title = NULL;
      self->n_channels = lamina_feature_grid_get_n_channels (a->grid);
      title = g_strdup_printf (ngettext ("Feature map (%u channel)", "Feature maps (%u channels)",
                                            self->n_channels), self->n_channels);
      gtk_label_set_text (self->map_label, title);
      lamina_feature_map_set_grid (self->feature_map, g_steal_pointer (&a->grid));
      gtk_widget_set_visible (self->map_box, TRUE);
    }
}

static void
start_analysis (LaminaTensorView *self)
{
  g_autoptr(GTask) task = NULL;
  Analysis *a = g_new0 (Analysis, 1);

  a->value = g_atomic_rc_box_acquire (self->value);
  a->flt = self->flt ? g_atomic_rc_box_acquire (self->flt) : NULL;
  a->quant = self->quant ? lamina_quant_copy (self->quant) : NULL;
  a->nhwc = self->nhwc;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_analysis_done, NULL);
  g_task_set_task_data (task, a, (GDestroyNotify) analysis_free);
  g_task_run_in_thread (task, analysis_thread);
}

/* ---- showing -------------------------------------------------------------------------------- */

static void
clear (LaminaTensorView *self)
{
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->value, value_box_release);
  g_clear_pointer (&self->flt, value_box_release);
  g_clear_pointer (&self->quant, lamina_quant_free);
  self->tensor = NULL;
  self->has_stats = FALSE;
  self->n_channels = 0;
  for (guint i = 0; i < N_STATS; i++)
    {
      gtk_label_set_text (self->stats[i], "…");
      gtk_widget_remove_css_class (GTK_WIDGET (self->stats[i]), "error");
    }
  lamina_histogram_set_stats (self->histogram, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->compare_label), FALSE);
  lamina_feature_map_set_grid (self->feature_map, NULL);
  gtk_widget_set_visible (self->map_box, FALSE);
}

/* "float32 ⟨1×16×320×320⟩ · Conv “conv1”" */
static void
set_subtitle (LaminaTensorView *self, const LaminaTensor *t)
{
  g_autofree char *shape = shape_text (t, self->value);
  LaminaDType dtype = self->value ? self->value->dtype : t->dtype;
  g_autofree char *type = g_strdup_printf ("%s ⟨%s⟩", lamina_dtype_name (dtype), shape);
  g_autofree char *text = NULL;

  if (t->producer != NULL)
    text = g_strdup_printf (_("%s · output of %s “%s”"), type, t->producer->op_type, t->producer->name);
  else if (t->data != NULL)
    text = g_strdup_printf (_("%s · weight"), type);
  else
    text = g_strdup_printf (_("%s · graph input"), type);
  gtk_label_set_text (self->subtitle_label, text);
}

/* Everything of show but the analysis, which the caller starts. */
static gboolean
show_value (LaminaTensorView *self, const LaminaTensor *t, LaminaValue *value, gboolean nhwc,
            const char *status)
{
  gboolean have;

  self->tensor = t;
  self->nhwc = nhwc;
  if (value != NULL && value->data != NULL)
    self->value = value_box_take (value);
  have = self->value != NULL;
  gtk_label_set_text (self->title_label, t->name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), t->name);
  set_subtitle (self, t);
  gtk_label_set_text (self->status_label, status ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->stats_grid), have);
  gtk_widget_set_visible (GTK_WIDGET (self->histogram), have);
  gtk_widget_set_sensitive (self->save_button, have);
  set_table (self);
  return have;
}

void
lamina_tensor_view_show (LaminaTensorView *self, const LaminaTensor *t, LaminaValue *value,
                         gboolean nhwc, const char *status)
{
  g_return_if_fail (LAMINA_IS_TENSOR_VIEW (self));
  g_return_if_fail (t != NULL);

  clear (self);
  if (show_value (self, t, value, nhwc, status))
    start_analysis (self);
}

void
lamina_tensor_view_show_pair (LaminaTensorView *self, const LaminaTensor *t, LaminaValue *fixed,
                              const LaminaQuant *quant, LaminaValue *flt, gboolean nhwc)
{
  g_return_if_fail (LAMINA_IS_TENSOR_VIEW (self));
  g_return_if_fail (t != NULL && fixed != NULL && flt != NULL);

  clear (self);
  if (flt->data != NULL)
    self->flt = value_box_take (flt);
  else
    lamina_value_clear (flt);
  self->quant = quant ? lamina_quant_copy (quant) : NULL;
  if (!show_value (self, t, fixed, nhwc, NULL))
    return;
  if (self->flt == NULL)
    g_clear_pointer (&self->quant, lamina_quant_free);
  start_analysis (self);
}

gboolean
lamina_tensor_view_is_pair (LaminaTensorView *self)
{
  g_return_val_if_fail (LAMINA_IS_TENSOR_VIEW (self), FALSE);
  return self->flt != NULL;
}

const LaminaTensor *
lamina_tensor_view_get_tensor (LaminaTensorView *self)
{
  g_return_val_if_fail (LAMINA_IS_TENSOR_VIEW (self), NULL);
  return self->tensor;
}

gboolean
lamina_tensor_view_has_value (LaminaTensorView *self)
{
  g_return_val_if_fail (LAMINA_IS_TENSOR_VIEW (self), FALSE);
  return self->value != NULL;
}

const LaminaTensorStats *
lamina_tensor_view_get_stats (LaminaTensorView *self)
{
  g_return_val_if_fail (LAMINA_IS_TENSOR_VIEW (self), NULL);
  return self->has_stats ? &self->stats_data : NULL;
}

gboolean
lamina_tensor_view_is_busy (LaminaTensorView *self)
{
  g_return_val_if_fail (LAMINA_IS_TENSOR_VIEW (self), FALSE);
  return self->cancellable != NULL;
}

guint
lamina_tensor_view_get_n_channels (LaminaTensorView *self)
{
  g_return_val_if_fail (LAMINA_IS_TENSOR_VIEW (self), 0);
  return self->n_channels;
}

/* ---- saving --------------------------------------------------------------------------------------- */

static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LaminaValue *value = g_object_get_data (G_OBJECT (task), "value");
  GError *error = NULL;

  if (lamina_npy_write (task_data, value, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lamina_tensor_view_save_async (LaminaTensorView *self, const char *path,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LAMINA_IS_TENSOR_VIEW (self));
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, lamina_tensor_view_save_async);
  if (self->value == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The tensor has no value yet"));
      return;
    }
  g_task_set_task_data (task, g_strdup (path), g_free);
  /* the box keeps the value alive even if another tensor is shown meanwhile */
  g_object_set_data_full (G_OBJECT (task), "value", g_atomic_rc_box_acquire (self->value),
                          (GDestroyNotify) value_box_release);
  g_task_run_in_thread (task, save_thread);
}

gboolean
lamina_tensor_view_save_finish (LaminaTensorView *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- GObject ------------------------------------------------------------------------------------------ */

static void
on_map_zoom_in (LaminaTensorView *self)
{
  lamina_feature_map_zoom_by (self->feature_map, 1.25);
}

static void
on_map_zoom_out (LaminaTensorView *self)
{
  lamina_feature_map_zoom_by (self->feature_map, 1 / 1.25);
}

static void
on_map_zoom_fit (LaminaTensorView *self)
{
  lamina_feature_map_zoom_fit (self->feature_map);
}

static void
lamina_tensor_view_dispose (GObject *object)
{
  LaminaTensorView *self = LAMINA_TENSOR_VIEW (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_TENSOR_VIEW);
  g_clear_pointer (&self->value, value_box_release);
  g_clear_pointer (&self->flt, value_box_release);
  g_clear_pointer (&self->quant, lamina_quant_free);
  G_OBJECT_CLASS (lamina_tensor_view_parent_class)->dispose (object);
}

static void
lamina_tensor_view_class_init (LaminaTensorViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_tensor_view_dispose;
  g_type_ensure (LAMINA_TYPE_HISTOGRAM);
  g_type_ensure (LAMINA_TYPE_FEATURE_MAP);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-tensor-view.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, LaminaTensorView, name)
  CHILD (title_label);
  CHILD (subtitle_label);
  CHILD (status_label);
  CHILD (save_button);
  CHILD (stats_grid);
  CHILD (histogram);
  CHILD (compare_label);
  CHILD (map_box);
  CHILD (map_label);
  CHILD (feature_map);
  CHILD (values_label);
  CHILD (values_frame);
  CHILD (values_view);
#undef CHILD
  gtk_widget_class_bind_template_callback (widget_class, on_map_zoom_in);
  gtk_widget_class_bind_template_callback (widget_class, on_map_zoom_out);
  gtk_widget_class_bind_template_callback (widget_class, on_map_zoom_fit);
}

static void
build_stats_grid (LaminaTensorView *self)
{
  for (guint i = 0; i < N_STATS; i++)
    {
      GtkWidget *key = gtk_label_new (_(stat_names[i]));
      GtkWidget *value = gtk_label_new ("…");
      int column = (i % 2) * 2, row = i / 2;

      gtk_label_set_xalign (GTK_LABEL (key), 0);
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_widget_add_css_class (key, "dim-label");
      gtk_widget_add_css_class (value, "numeric");
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_grid_attach (self->stats_grid, key, column, row, 1, 1);
      gtk_grid_attach (self->stats_grid, value, column + 1, row, 1, 1);
      self->stats[i] = GTK_LABEL (value);
    }
}

static void
lamina_tensor_view_init (LaminaTensorView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_stats_grid (self);
  add_column (self, _("Index"), G_CALLBACK (bind_index), FALSE, TRUE);
  add_column (self, _("Value"), G_CALLBACK (bind_value), TRUE, TRUE);
  gtk_widget_set_visible (self->map_box, FALSE);
}

GtkWidget *
lamina_tensor_view_new (void)
{
  return g_object_new (LAMINA_TYPE_TENSOR_VIEW, NULL);
}
