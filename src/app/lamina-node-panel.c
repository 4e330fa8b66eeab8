/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-node-panel.c: pages are rebuilt from scratch on every selection
 * (a few dozen rows). Weight statistics may need to read megabytes, so they
 * are computed in a worker thread and filled in when ready; a new selection
 * cancels the pending computation.
 */
#define G_LOG_DOMAIN "lamina-node-panel"

#include <glib/gi18n.h>
#include "lamina-node-panel.h"
#include "lamina-histogram.h"
#include "lamina-sim-session.h"
#include "graph/lamina-op-info.h"
#include "graph/lamina-tensor-stats.h"

/* First values shown for a weight. */
#define N_VALUES 48

struct _LaminaNodePanel
{
  AdwBin              parent_instance;
  GtkScrolledWindow  *scroller;
  GtkBox             *content;
  LaminaDocument     *document;
  GPtrArray          *groups;     /* AdwPreferencesGroup* shown */
  GCancellable       *cancellable;
  char               *title;
  LaminaSimSession   *session;
  const LaminaNode   *node;       /* of the page shown, or NULL */
  GtkWidget          *sim_row;    /* its simulator row */
};

G_DEFINE_FINAL_TYPE (LaminaNodePanel, lamina_node_panel, ADW_TYPE_BIN)

enum { TENSOR_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- rows ------------------------------------------------------------------ */

static void
clear_page (LaminaNodePanel *self)
{
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  for (guint i = 0; i < self->groups->len; i++)
    gtk_box_remove (self->content, g_ptr_array_index (self->groups, i));
  g_ptr_array_set_size (self->groups, 0);
  self->node = NULL;
  self->sim_row = NULL;
}

static AdwPreferencesGroup *
add_group (LaminaNodePanel *self, const char *title, const char *description)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *escaped = description ? g_markup_escape_text (description, -1) : NULL;

  adw_preferences_group_set_title (group, title);
  /* group descriptions are markup */
  adw_preferences_group_set_description (group, escaped);
  gtk_box_append (self->content, GTK_WIDGET (group));
  g_ptr_array_add (self->groups, group);
  return group;
}

/* A "key: value" row; the value is the prominent line (style.css "property"). */
static GtkWidget *
add_row (AdwPreferencesGroup *group, const char *key, const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), key);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value && value[0] ? value : "—");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
  return row;
}

/* "float32 ⟨1×3×224×224⟩", "int8 scalar" */
static char *
tensor_type_text (const LaminaTensor *t)
{
  g_autofree char *shape = lamina_shape_to_string (&t->shape);

  if (t->shape.rank == 0)
    return g_strdup_printf (_("%s scalar"), lamina_dtype_name (t->dtype));
  return g_strdup_printf ("%s ⟨%s⟩", lamina_dtype_name (t->dtype), shape);
}

/* "scale 0.0039, zero point 0" or a per-axis summary with ranges. */
static char *
quant_text (const LaminaQuant *q)
{
  float smin, smax;
  gint64 zmin, zmax;
  g_autofree char *zero = NULL;

  if (q == NULL || q->n == 0)
    return NULL;
  if (q->axis < 0 || q->n == 1)
    {
      zero = g_strdup_printf ("%" G_GINT64_FORMAT, q->zero_point[0]);
      return g_strdup_printf (_("scale %g, zero point %s"), q->scale[0], zero);
    }
  smin = smax = q->scale[0];
  zmin = zmax = q->zero_point[0];
  for (guint i = 1; i < q->n; i++)
    {
      smin = MIN (smin, q->scale[i]);
      smax = MAX (smax, q->scale[i]);
      zmin = MIN (zmin, q->zero_point[i]);
      zmax = MAX (zmax, q->zero_point[i]);
    }
  zero = zmin == zmax ? g_strdup_printf ("%" G_GINT64_FORMAT, zmin)
                      : g_strdup_printf ("%" G_GINT64_FORMAT " … %" G_GINT64_FORMAT, zmin, zmax);
  return g_strdup_printf (_("per axis %d (%u channels): scale %g … %g, zero point %s"),
                          q->axis, q->n, smin, smax, zero);
}

/* Type, plus quantization when the tensor has it. */
static char *
tensor_summary (const LaminaTensor *t)
{
  g_autofree char *type = tensor_type_text (t);
  g_autofree char *quant = quant_text (t->quant);

  if (quant == NULL)
    return g_steal_pointer (&type);
  return g_strdup_printf ("%s\n%s", type, quant);
}

static void
on_tensor_row_activated (AdwActionRow *row, LaminaNodePanel *self)
{
  g_signal_emit (self, signals[TENSOR_ACTIVATED], 0, g_object_get_data (G_OBJECT (row), "tensor"));
}

/* A tensor row opens the tensor view when activated. */
static void
make_tensor_row (LaminaNodePanel *self, GtkWidget *row, const LaminaTensor *t)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("go-next-symbolic");

  gtk_widget_set_tooltip_text (icon, _("Show the values"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data (G_OBJECT (row), "tensor", (gpointer) t);
  g_signal_connect (row, "activated", G_CALLBACK (on_tensor_row_activated), self);
}

static void
add_tensor_row (LaminaNodePanel *self, AdwPreferencesGroup *group, const LaminaTensor *t)
{
  g_autofree char *summary = tensor_summary (t);

  make_tensor_row (self, add_row (group, t->name, summary), t);
}

/* ---- weights ------------------------------------------------------------------ */

enum { STAT_MIN, STAT_MAX, STAT_MEAN, STAT_STD, STAT_ZEROS, STAT_NONFINITE, N_STATS };

typedef struct {
  GtkLabel        *stats[N_STATS];
  LaminaHistogram *histogram;
  GtkLabel        *values;
} WeightWidgets;

typedef struct {
  LaminaTensor      *tensor;
  gboolean           ok;
  LaminaTensorStats  stats;
  char              *error;
  char              *values;
} WeightResult;

static void
weight_result_clear (WeightResult *r)
{
  g_free (r->error);
  g_free (r->values);
}

static GtkWidget *
stat_label (GtkGrid *grid, const char *key, int column, int row)
{
  GtkWidget *k = gtk_label_new (key);
  GtkWidget *v = gtk_label_new ("…");

  gtk_label_set_xalign (GTK_LABEL (k), 0);
  gtk_label_set_xalign (GTK_LABEL (v), 0);
  gtk_widget_add_css_class (k, "dim-label");
  gtk_widget_add_css_class (v, "numeric");
  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_grid_attach (grid, k, column, row, 1, 1);
  gtk_grid_attach (grid, v, column + 1, row, 1, 1);
  return v;
}

static GtkWidget *
weight_details (WeightWidgets *w)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_grid_set_column_spacing (grid, 8);
  gtk_grid_set_row_spacing (grid, 2);
  w->stats[STAT_MIN] = GTK_LABEL (stat_label (grid, _("Min"), 0, 0));
  w->stats[STAT_MAX] = GTK_LABEL (stat_label (grid, _("Max"), 2, 0));
  w->stats[STAT_MEAN] = GTK_LABEL (stat_label (grid, _("Mean"), 0, 1));
  w->stats[STAT_STD] = GTK_LABEL (stat_label (grid, _("Std"), 2, 1));
  w->stats[STAT_ZEROS] = GTK_LABEL (stat_label (grid, _("Zeros"), 0, 2));
  w->stats[STAT_NONFINITE] = GTK_LABEL (stat_label (grid, _("NaN/Inf"), 2, 2));
  gtk_grid_set_column_homogeneous (grid, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (grid));
  w->histogram = LAMINA_HISTOGRAM (lamina_histogram_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (w->histogram));
  w->values = GTK_LABEL (gtk_label_new ("…"));
  gtk_label_set_wrap (w->values, TRUE);
  gtk_label_set_wrap_mode (w->values, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (w->values, 0);
  gtk_label_set_selectable (w->values, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (w->values), "monospace");
  gtk_widget_add_css_class (GTK_WIDGET (w->values), "caption");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (w->values));
  return box;
}

static void
set_number (GtkLabel *label, double v)
{
  g_autofree char *text = g_strdup_printf ("%.6g", v);

  gtk_label_set_text (label, text);
}

static void
fill_weight (WeightWidgets *w, const WeightResult *r)
{
  g_autofree char *zeros = NULL, *nonfinite = NULL;

  /* statistics are of the real values; the list shows what the file stores */
  if (r->values && r->tensor->quant)
    {
      g_autofree char *stored = g_strdup_printf (_("stored: %s"), r->values);
      gtk_label_set_text (w->values, stored);
    }
  else
    gtk_label_set_text (w->values, r->values ? r->values : "");
  if (!r->ok)
    {
      for (guint i = 0; i < N_STATS; i++)
        gtk_label_set_text (w->stats[i], "—");
      gtk_widget_set_tooltip_text (GTK_WIDGET (w->stats[STAT_MIN]), r->error);
      gtk_widget_set_visible (GTK_WIDGET (w->histogram), FALSE);
      return;
    }
  set_number (w->stats[STAT_MIN], r->stats.min);
  set_number (w->stats[STAT_MAX], r->stats.max);
  set_number (w->stats[STAT_MEAN], r->stats.mean);
  set_number (w->stats[STAT_STD], r->stats.std);
  zeros = g_strdup_printf ("%.1f %%", r->stats.zero_fraction * 100);
  gtk_label_set_text (w->stats[STAT_ZEROS], zeros);
  nonfinite = g_strdup_printf ("%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT, r->stats.n_nan, r->stats.n_inf);
  gtk_label_set_text (w->stats[STAT_NONFINITE], nonfinite);
  lamina_histogram_set_stats (w->histogram, &r->stats);
}

static void
stats_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GArray *results = task_data;

  for (guint i = 0; i < results->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      WeightResult *r = &g_array_index (results, WeightResult, i);
      g_autoptr(GError) error = NULL;

      /* quantized weights are shown as the real values they stand for */
      r->ok = lamina_tensor_stats_compute (r->tensor, TRUE, &r->stats, &error);
      if (!r->ok)
        r->error = g_strdup (error->message);
      r->values = lamina_tensor_format_values (r->tensor, N_VALUES);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_stats_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GArray) widgets = data;
  GArray *results = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  for (guint i = 0; i < results->len; i++)
    fill_weight (&g_array_index (widgets, WeightWidgets, i), &g_array_index (results, WeightResult, i));
}

static void
on_weight_button (GtkButton *button, LaminaNodePanel *self)
{
  g_signal_emit (self, signals[TENSOR_ACTIVATED], 0, g_object_get_data (G_OBJECT (button), "tensor"));
}

/* Opens the weight in the tensor view (feature maps of kernels, all values). */
static GtkWidget *
weight_button (LaminaNodePanel *self, const LaminaTensor *t)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("go-next-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Show all values"));
  g_object_set_data (G_OBJECT (button), "tensor", (gpointer) t);
  g_signal_connect (button, "clicked", G_CALLBACK (on_weight_button), self);
  return button;
}

/* The row label a box gives a constant input ("W", "B"), or NULL. */
static const char *
row_label (const LaminaBox *box, const LaminaTensor *t)
{
  for (guint i = 0; box && box->rows && i < box->rows->len; i++)
    {
      const LaminaBoxRow *row = &g_array_index (box->rows, LaminaBoxRow, i);
      if (row->tensor == t)
        return row->label;
    }
  return NULL;
}

static void
add_weights (LaminaNodePanel *self, const LaminaNode *node, const LaminaBox *box)
{
  AdwPreferencesGroup *group = NULL;
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (WeightResult));
  g_autoptr(GArray) widgets = g_array_new (FALSE, TRUE, sizeof (WeightWidgets));
  g_autoptr(GTask) task = NULL;

  g_array_set_clear_func (results, (GDestroyNotify) weight_result_clear);
  for (guint i = 0; i < node->inputs->len; i++)
    {
      LaminaTensor *t = g_ptr_array_index (node->inputs, i);
      g_autofree char *type = NULL, *subtitle = NULL, *quant = NULL;
      const char *label;
      GtkWidget *row;
      WeightWidgets w = { 0 };
      WeightResult r = { 0 };

      if (t == NULL || t->data == NULL)
        continue;
      if (group == NULL)
        group = add_group (self, _("Weights"), NULL);
      type = tensor_type_text (t);
      quant = quant_text (t->quant);
      label = row_label (box, t);
      subtitle = g_strdup_printf ("%s%s%s%s%s", label ? label : "", label ? " · " : "", type,
                                  quant ? "\n" : "", quant ? quant : "");
      row = adw_expander_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), t->name);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), weight_details (&w));
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), weight_button (self, t));
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), widgets->len == 0);
      adw_preferences_group_add (group, row);
      r.tensor = t;
      g_array_append_val (results, r);
      g_array_append_val (widgets, w);
    }
  if (results->len == 0)
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, on_stats_done, g_steal_pointer (&widgets));
  /* the document owns the tensors: keep it alive while the thread reads them */
  g_object_set_data_full (G_OBJECT (task), "document", g_object_ref (self->document), g_object_unref);
  g_task_set_task_data (task, g_steal_pointer (&results), (GDestroyNotify) g_array_unref);
  g_task_run_in_thread (task, stats_thread);
}

/* ---- pages ------------------------------------------------------------------------ */

static void
set_title (LaminaNodePanel *self, const char *title)
{
  g_free (self->title);
  self->title = g_strdup (title);
}

static void
add_tensor_list (LaminaNodePanel *self, const char *title, GPtrArray *tensors, gboolean skip_constants)
{
  AdwPreferencesGroup *group = NULL;

  for (guint i = 0; i < tensors->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (tensors, i);
      if (t == NULL || (skip_constants && t->data != NULL))
        continue;
      if (group == NULL)
        group = add_group (self, title, NULL);
      add_tensor_row (self, group, t);
    }
}

static void
show_node (LaminaNodePanel *self, const LaminaNode *node, const LaminaBox *box)
{
  AdwPreferencesGroup *group;
  const char *doc = lamina_op_doc (node->op_type);

  set_title (self, node->op_type);
  group = add_group (self, node->op_type, doc ? doc : node->doc);
  add_row (group, _("Name"), node->name);
  add_row (group, _("Category"), lamina_op_category_name (lamina_op_category (node->op_type)));
  if (node->domain[0])
    add_row (group, _("Domain"), node->domain);
  if (node->is_custom)
    add_row (group, _("Custom operator"), _("Lamina cannot simulate this operator"));
  if (node->doc && node->doc[0] && doc)
    add_row (group, _("Documentation"), node->doc);
  if (self->session != NULL && lamina_sim_session_get_graph (self->session) == node->graph)
    {
      self->node = node;
      self->sim_row = add_row (group, _("Simulator"), NULL);
      lamina_node_panel_refresh_sim (self);
    }

  if (node->attrs->len > 0)
    {
      group = add_group (self, _("Attributes"), NULL);
      for (guint i = 0; i < node->attrs->len; i++)
        {
          const LaminaAttr *attr = g_ptr_array_index (node->attrs, i);
          g_autofree char *value = lamina_attr_format (attr);
          add_row (group, attr->name, value);
        }
    }
  add_tensor_list (self, _("Inputs"), node->inputs, TRUE);
  add_weights (self, node, box);
  add_tensor_list (self, _("Outputs"), node->outputs, FALSE);
}

static char *
node_list_text (GPtrArray *nodes)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; nodes && i < nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (nodes, i);
      g_string_append_printf (s, "%s%s (%s)", i ? "\n" : "", n->name[0] ? n->name : n->op_type, n->op_type);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
show_tensor (LaminaNodePanel *self, const LaminaTensor *t, gboolean is_input)
{
  AdwPreferencesGroup *group;
  g_autofree char *type = tensor_type_text (t);
  g_autofree char *quant = quant_text (t->quant);
  g_autofree char *consumers = node_list_text (t->consumers);

  set_title (self, t->name);
  group = add_group (self, is_input ? _("Graph Input") : _("Graph Output"), t->doc);
  add_row (group, _("Name"), t->name);
  add_row (group, _("Type"), type);
  if (quant)
    add_row (group, _("Quantization"), quant);
  if (t->producer)
    {
      g_autofree char *producer = g_strdup_printf ("%s (%s)", t->producer->name, t->producer->op_type);
      add_row (group, _("Produced by"), producer);
    }
  if (consumers[0])
    add_row (group, _("Used by"), consumers);
}

static void
add_model_facts (LaminaNodePanel *self, const LaminaModel *model)
{
  AdwPreferencesGroup *group = add_group (self, _("Model"), model->description);
  g_autofree char *format = NULL, *nodes = NULL, *params = NULL, *size = NULL, *count = NULL;
  guint64 n_params = 0, n_bytes = 0;

  format = model->format_version
           ? g_strdup_printf ("%s, %s", lamina_format_name (model->format), model->format_version)
           : g_strdup (lamina_format_name (model->format));
  add_row (group, _("Format"), format);
  add_row (group, _("Kind"), lamina_kind_name (model->kind));
  if (model->producer && model->producer[0])
    add_row (group, _("Producer"), model->producer);
  if (model->graph->name && model->graph->name[0])
    add_row (group, _("Graph"), model->graph->name);
  nodes = g_strdup_printf ("%u", model->graph->nodes->len);
  add_row (group, _("Operators"), nodes);
  lamina_model_parameter_totals (model, &n_params, &n_bytes);
  size = g_format_size (n_bytes);
  count = g_strdup_printf ("%'" G_GUINT64_FORMAT, n_params);
  /* parameter count, then their size in bytes: "2,690,312 (10.8 MB)" */
  params = g_strdup_printf (_("%s (%s)"), count, size);
  add_row (group, _("Parameters"), params);
  if (model->graphs->len > 1)
    {
      g_autofree char *graphs = g_strdup_printf ("%u", model->graphs->len);
      add_row (group, _("Graphs"), graphs);
    }
}

static void
show_model (LaminaNodePanel *self)
{
  const LaminaModel *model = lamina_document_get_model (self->document);
  AdwPreferencesGroup *group;

  set_title (self, _("Model"));
  add_model_facts (self, model);
  if (model->opsets && model->opsets->len > 0)
    {
      group = add_group (self, _("Operator Sets"), NULL);
      for (guint i = 0; i < model->opsets->len; i++)
        {
          const LaminaOpset *o = &g_array_index (model->opsets, LaminaOpset, i);
          g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, o->version);
          add_row (group, o->domain && o->domain[0] ? o->domain : "ai.onnx", version);
        }
    }
  if (model->metadata && model->metadata->len > 0)
    {
      group = add_group (self, _("Metadata"), NULL);
      for (guint i = 0; i < model->metadata->len; i++)
        {
          const LaminaMetadata *m = &g_array_index (model->metadata, LaminaMetadata, i);
          add_row (group, m->key, m->value);
        }
    }
  add_tensor_list (self, _("Inputs"), model->graph->inputs, FALSE);
  add_tensor_list (self, _("Outputs"), model->graph->outputs, FALSE);
}

void
lamina_node_panel_show_box (LaminaNodePanel *self, const LaminaBox *box)
{
  g_return_if_fail (LAMINA_IS_NODE_PANEL (self));

  clear_page (self);
  set_title (self, NULL);
  if (self->document == NULL)
    return;
  if (box == NULL)
    show_model (self);
  else if (box->kind == LAMINA_BOX_NODE && box->node)
    show_node (self, box->node, box);
  else if (box->tensor)
    show_tensor (self, box->tensor, box->kind == LAMINA_BOX_INPUT);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

void
lamina_node_panel_set_document (LaminaNodePanel *self, LaminaDocument *document)
{
  g_return_if_fail (LAMINA_IS_NODE_PANEL (self));

  clear_page (self);
  g_set_object (&self->document, document);
  lamina_node_panel_show_box (self, NULL);
}

void
lamina_node_panel_set_session (LaminaNodePanel *self, LaminaSimSession *session)
{
  g_return_if_fail (LAMINA_IS_NODE_PANEL (self));
  g_set_object (&self->session, session);
}

void
lamina_node_panel_refresh_sim (LaminaNodePanel *self)
{
  g_autofree char *text = NULL;
  double ms;

  g_return_if_fail (LAMINA_IS_NODE_PANEL (self));
  if (self->sim_row == NULL || self->session == NULL)
    return;
  ms = lamina_sim_session_get_node_ms (self->session, self->node);
  if (lamina_sim_session_is_unsupported (self->session, self->node))
    text = g_strdup_printf (_("No kernel for %s: Lamina cannot simulate this operator yet"), self->node->op_type);
  else if (ms >= 0)
    text = g_strdup_printf (_("Ran in %.3f ms"), ms);
  else if (lamina_sim_session_get_next_node (self->session) == self->node)
    text = g_strdup (_("Runs next"));
  else
    text = g_strdup (_("Not run yet"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->sim_row), text);
  if (lamina_sim_session_is_unsupported (self->session, self->node))
    gtk_widget_add_css_class (self->sim_row, "error");
}

const char *
lamina_node_panel_get_title (LaminaNodePanel *self)
{
  g_return_val_if_fail (LAMINA_IS_NODE_PANEL (self), NULL);
  return self->title;
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
lamina_node_panel_dispose (GObject *object)
{
  LaminaNodePanel *self = LAMINA_NODE_PANEL (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->document);
  g_clear_object (&self->session);
  /* the bound scroller is AdwBin's child: dispose_template unparents it
   * behind AdwBin's back, and AdwBin's dispose would then unparent a
   * freed widget */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_NODE_PANEL);
  G_OBJECT_CLASS (lamina_node_panel_parent_class)->dispose (object);
}

static void
lamina_node_panel_finalize (GObject *object)
{
  LaminaNodePanel *self = LAMINA_NODE_PANEL (object);

  g_ptr_array_unref (self->groups);
  g_free (self->title);
  G_OBJECT_CLASS (lamina_node_panel_parent_class)->finalize (object);
}

static void
lamina_node_panel_class_init (LaminaNodePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_node_panel_dispose;
  object_class->finalize = lamina_node_panel_finalize;
  /* a tensor row or weight button was activated: show that tensor (LaminaTensor*) */
  signals[TENSOR_ACTIVATED] = g_signal_new ("tensor-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-node-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, LaminaNodePanel, scroller);
  gtk_widget_class_bind_template_child (widget_class, LaminaNodePanel, content);
}

static void
lamina_node_panel_init (LaminaNodePanel *self)
{
  self->groups = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lamina_node_panel_new (void)
{
  return g_object_new (LAMINA_TYPE_NODE_PANEL, NULL);
}
