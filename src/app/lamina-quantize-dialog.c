/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-quantize-dialog"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-quantize-dialog.h"
#include "lamina-window-private.h"
#include "onnx/lamina-onnx-write.h"
#include "quant/lamina-calibrate.h"
#include "quant/lamina-quantize.h"
#include "vision/lamina-preset.h"
#include "lamina-column.h"
#include "lamina-file-chooser.h"

/* the progress bar follows the worker at this pace */
#define PROGRESS_POLL_MS 100

/* Rows of the precision dropdowns, in LaminaPrecision order. */
static const char *const precision_names[] = { "int8", "int16", "float", NULL };

/* What the worker thread needs; it owns copies of everything. */
typedef struct {
  char                *model_path;
  char                *folder;
  char                *output;
  LaminaCalibMethod    method;
  GStrv                keep_float, int16;
  /* progress, written by the worker, read by the poll */
  gint                 done, total;
  GMutex               lock;
  char                *current;
  /* results */
  LaminaQuantizeStats  stats;
  guint                n_used;
} Job;

struct _LaminaQuantizeDialog
{
  AdwWindow parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  GtkButton       *cancel_button;
  GtkButton       *quantize_button;
  GtkWidget       *settings_box;
  AdwActionRow    *folder_row;
  GtkButton       *folder_button;
  AdwComboRow     *method_row;
  AdwComboRow     *bits_row;
  AdwActionRow    *output_row;
  GtkButton       *output_button;
  GtkSearchEntry  *op_filter;
  GtkSearchEntry  *name_filter;
  GtkColumnView   *layers;
  GtkLabel        *error_label;
  GtkWidget       *progress_box;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;

  LaminaWindow    *parent;       /* weak */
  LaminaDocument  *document;
  GtkStringList   *rows;         /* node indices, as strings */
  GtkFilter       *filter;
  guint8          *precision;    /* LaminaPrecision per node of the main graph */
  guint            default_bits;  /* bits_row's value the rows at default follow */
  char            *folder;
  char            *output;
  GCancellable    *cancellable;  /* while running */
  Job             *job;          /* while running; owned by the task */
  guint            poll;
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (LaminaQuantizeDialog, lamina_quantize_dialog, ADW_TYPE_WINDOW)

static void
job_free (Job *job)
{
  g_free (job->model_path);
  g_free (job->folder);
  g_free (job->output);
  g_strfreev (job->keep_float);
  g_strfreev (job->int16);
  g_free (job->current);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static LaminaGraph *
graph_of (LaminaQuantizeDialog *self)
{
  return lamina_document_get_model (self->document)->graph;
}

/* ---- the worker ------------------------------------------------------------ */

static void
job_progress (guint done, guint total, const char *current, gpointer data)
{
  Job *job = data;

  g_atomic_int_set (&job->done, (gint) done);
  g_atomic_int_set (&job->total, (gint) total);
  g_mutex_lock (&job->lock);
  g_free (job->current);
  job->current = current ? g_path_get_basename (current) : NULL;
  g_mutex_unlock (&job->lock);
}

/* The preset's [QUANTIZE] lists join the table's rules, as in the CLI. */
static void
add_preset_rules (Job *job, LaminaModel *model)
{
  g_autoptr(LaminaPreset) preset = lamina_preset_find (job->model_path, model->graph, NULL, NULL);
  g_auto(GStrv) keep_float = NULL, int16 = NULL;
  g_autoptr(GStrvBuilder) kb = g_strv_builder_new (), ib = g_strv_builder_new ();

  if (preset == NULL || preset->path == NULL ||
      !lamina_quantize_preset_rules (preset->path, &keep_float, &int16, NULL))
    return;
  g_strv_builder_addv (kb, (const char **) job->keep_float);
  g_strv_builder_addv (kb, (const char **) keep_float);
  g_strv_builder_addv (ib, (const char **) job->int16);
  g_strv_builder_addv (ib, (const char **) int16);
  g_strfreev (job->keep_float);
  g_strfreev (job->int16);
  job->keep_float = g_strv_builder_end (kb);
  job->int16 = g_strv_builder_end (ib);
}

static gboolean
run_job (Job *job, GCancellable *cancellable, GError **error)
{
  g_autoptr(LaminaModel) model = NULL, fixed = NULL;
  g_autoptr(LaminaCalibration) calib = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  const char *paths[] = { job->folder, NULL };
  LaminaCalibOptions co = { 0, NULL, 0, job_progress, job };
  LaminaQuantizeOptions qo = { job->method, 0, 8, NULL, NULL };

  /* a model of its own: the window's may be running in the simulator */
  if ((model = lamina_model_load (job->model_path, error)) == NULL ||
      (inputs = lamina_calibration_list_inputs (paths, error)) == NULL)
    return FALSE;
  add_preset_rules (job, model);
  if ((calib = lamina_calibrate (model, job->model_path, inputs, &co, cancellable, error)) == NULL)
    return FALSE;
  job->n_used = lamina_calibration_n_used (calib);
  qo.keep_float = (const char *const *) job->keep_float;
  qo.int16 = (const char *const *) job->int16;
  if ((fixed = lamina_quantize (model, calib, &qo, &job->stats, error)) == NULL ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return lamina_onnx_write (fixed, job->output, error);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (run_job (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* ---- running ----------------------------------------------------------------- */

static void
update_sensitivity (LaminaQuantizeDialog *self)
{
  gboolean running = self->cancellable != NULL;

  gtk_widget_set_sensitive (self->settings_box, !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->quantize_button),
                            !running && self->folder != NULL && self->output != NULL);
  gtk_widget_set_visible (self->progress_box, running);
}

static gboolean
poll_progress (gpointer data)
{
  LaminaQuantizeDialog *self = data;
  Job *job = self->job;
  guint done = (guint) g_atomic_int_get (&job->done), total = (guint) g_atomic_int_get (&job->total);
  g_autofree char *current = NULL, *text = NULL;

  g_mutex_lock (&job->lock);
  current = g_strdup (job->current);
  g_mutex_unlock (&job->lock);
  if (total == 0)
    {
      gtk_progress_bar_pulse (self->progress_bar);
      return G_SOURCE_CONTINUE;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
  if (current != NULL)
    text = g_strdup_printf (_("Calibrating %u of %u: %s"), MIN (done + 1, total), total, current);
  else
    text = g_strdup (_("Quantizing…"));
  gtk_label_set_text (self->progress_label, text);
  return G_SOURCE_CONTINUE;
}

/* Errors show where the user is looking: the dialog when it is open, else
 * the model's window. */
static void
show_error (LaminaQuantizeDialog *self, const char *message)
{
  /* the label keeps what a one-line toast cuts off */
  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    {
      g_autofree char *escaped = g_markup_escape_text (message, -1);
      gtk_label_set_text (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
    }
  else if (self->parent != NULL)
    lamina_window_toast (self->parent, message, 0);
  else
    g_warning ("%s", message);
}

static void
open_result (LaminaQuantizeDialog *self, const Job *job)
{
  GtkApplication *app = self->parent ? gtk_window_get_application (GTK_WINDOW (self->parent)) : NULL;
  LaminaWindow *window = lamina_window_new (app);
  g_autoptr(GFile) file = g_file_new_for_path (job->output);
  g_autofree char *base = g_path_get_basename (job->output);
  g_autofree char *message = NULL;
  int w = 0, h = 0;

  if (self->parent != NULL)
    gtk_window_get_default_size (GTK_WINDOW (self->parent), &w, &h);
  if (w > 0 && h > 0)
    gtk_window_set_default_size (GTK_WINDOW (window), w, h);
  gtk_window_present (GTK_WINDOW (window));
  lamina_window_open (window, file);
  /* the new window can compare the fixed model with the float one */
  lamina_window_set_compare_partner (window, self->document);
  message = g_strdup_printf (_("Wrote “%s”: calibrated on %u images; %u activations int8, %u int16, %u float"),
                             base, job->n_used, job->stats.n_int8, job->stats.n_int16, job->stats.n_float);
  if (self->parent != NULL)
    lamina_window_toast (self->parent, message, 5);
}

static void
on_job_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LaminaQuantizeDialog *self = LAMINA_QUANTIZE_DIALOG (source);
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (task, &error);

  g_clear_handle_id (&self->poll, g_source_remove);
  g_clear_object (&self->cancellable);
  self->job = NULL;
  if (self->document == NULL)   /* disposed while running */
    return;
  update_sensitivity (self);
  if (ok)
    {
      open_result (self, job);
      gtk_window_destroy (GTK_WINDOW (self));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *base = g_path_get_basename (job->output);
      g_autofree char *message = g_strdup_printf (_("Could not quantize to “%s”: %s"), base, error->message);
      show_error (self, message);
      if (!gtk_widget_get_visible (GTK_WIDGET (self)))
        gtk_window_destroy (GTK_WINDOW (self));
    }
  else if (!gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_window_destroy (GTK_WINDOW (self));
}

/* Rules from the table: a node by name, or by its outputs when unnamed.
 * With 16 default bits the graph inputs are int16 too (the quantizer's
 * default stays 8 so that rows set to int8 keep it). */
static void
collect_rules (LaminaQuantizeDialog *self, Job *job)
{
  LaminaGraph *graph = graph_of (self);
  g_autoptr(GStrvBuilder) kb = g_strv_builder_new (), ib = g_strv_builder_new ();

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      GStrvBuilder *b = self->precision[i] == LAMINA_PRECISION_FLOAT ? kb
                        : self->precision[i] == LAMINA_PRECISION_INT16 ? ib : NULL;
      if (b == NULL)
        continue;
      if (node->name[0] != '\0')
        g_strv_builder_add (b, node->name);
      else
        for (guint k = 0; k < node->outputs->len; k++)
          if (g_ptr_array_index (node->outputs, k) != NULL)
            g_strv_builder_add (b, ((LaminaTensor *) g_ptr_array_index (node->outputs, k))->name);
    }
  if (self->default_bits == 16)
    for (guint i = 0; i < graph->inputs->len; i++)
      g_strv_builder_add (ib, ((LaminaTensor *) g_ptr_array_index (graph->inputs, i))->name);
  job->keep_float = g_strv_builder_end (kb);
  job->int16 = g_strv_builder_end (ib);
}

void
lamina_quantize_dialog_start (LaminaQuantizeDialog *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *model_path = NULL;
  Job *job;

  g_return_if_fail (LAMINA_IS_QUANTIZE_DIALOG (self));
  if (self->cancellable != NULL || self->folder == NULL || self->output == NULL)
    return;
  /* the worker loads the model again, from a local file */
  if ((model_path = g_file_get_path (lamina_document_get_file (self->document))) == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not quantize “%s”: it is not a local file"),
                                                  lamina_document_get_title (self->document));
      show_error (self, message);
      return;
    }
  job = g_new0 (Job, 1);
  g_mutex_init (&job->lock);
  job->model_path = g_steal_pointer (&model_path);
  job->folder = g_strdup (self->folder);
  job->output = g_strdup (self->output);
  job->method = (LaminaCalibMethod) adw_combo_row_get_selected (self->method_row);
  collect_rules (self, job);
  self->cancellable = g_cancellable_new ();
  self->job = job;
  task = g_task_new (self, self->cancellable, on_job_done, NULL);
  g_task_set_source_tag (task, lamina_quantize_dialog_start);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, _("Reading the calibration images…"));
  update_sensitivity (self);
  self->poll = g_timeout_add (PROGRESS_POLL_MS, poll_progress, self);
  g_task_run_in_thread (task, job_thread);
}

/* ---- settings ---------------------------------------------------------------- */

/* "<dir>/<stem>-int8.onnx" (or -int16) beside the model. */
static char *
default_output (LaminaDocument *document, guint bits)
{
  g_autofree char *path = g_file_get_path (lamina_document_get_file (document));
  const char *dot = path ? strrchr (path, '.') : NULL;
  const char *slash = path ? strrchr (path, G_DIR_SEPARATOR) : NULL;
  g_autofree char *stem = NULL;

  if (path == NULL)
    return NULL;
  stem = dot && (slash == NULL || dot > slash) ? g_strndup (path, (gsize) (dot - path)) : g_strdup (path);
  return g_strdup_printf ("%s-int%u.onnx", stem, bits);
}


static void
set_path (char **field, AdwActionRow *row, const char *path)
{
  g_free (*field);
  *field = g_strdup (path);
  adw_action_row_set_subtitle (row, path ? path : _("None chosen"));
}

void
lamina_quantize_dialog_set_folder (LaminaQuantizeDialog *self, const char *folder)
{
  g_return_if_fail (LAMINA_IS_QUANTIZE_DIALOG (self));
  set_path (&self->folder, self->folder_row, folder);
  update_sensitivity (self);
}

void
lamina_quantize_dialog_set_output (LaminaQuantizeDialog *self, const char *output)
{
  g_return_if_fail (LAMINA_IS_QUANTIZE_DIALOG (self));
  set_path (&self->output, self->output_row, output);
  update_sensitivity (self);
}

static void
on_chosen (GtkWidget *owner, GtkFileChooserAction action, const char *path)
{
  if (action == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER)
    lamina_quantize_dialog_set_folder (LAMINA_QUANTIZE_DIALOG (owner), path);
  else
    lamina_quantize_dialog_set_output (LAMINA_QUANTIZE_DIALOG (owner), path);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
choose (LaminaQuantizeDialog *self, GtkFileChooserAction action, const char *title,
        const char *accept, const char *current)
{
  GtkFileChooser *chooser = lamina_file_chooser_new (GTK_WIDGET (self), &self->chooser, action, title, accept,
                                                     on_chosen);
  g_autoptr(GFile) file = current ? g_file_new_for_path (current) : NULL;
  g_autoptr(GFile) parent = file ? g_file_get_parent (file) : NULL;

  if (chooser == NULL)
    return;
  if (action == GTK_FILE_CHOOSER_ACTION_SAVE && file != NULL)
    {
      g_autofree char *base = g_file_get_basename (file);
      const char *onnx[] = { "*.onnx", NULL };
      gtk_file_chooser_add_filter (chooser, lamina_window_file_filter (_("ONNX models"), onnx));
      gtk_file_chooser_set_current_folder (chooser, parent, NULL);
      gtk_file_chooser_set_current_name (chooser, base);
    }
  else if (file != NULL)
    gtk_file_chooser_set_current_folder (chooser, file, NULL);
  gtk_native_dialog_show (self->chooser);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
on_folder_clicked (LaminaQuantizeDialog *self)
{
  choose (self, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("Choose the Calibration Images"), _("_Select"),
          self->folder);
}

static void
on_output_clicked (LaminaQuantizeDialog *self)
{
  choose (self, GTK_FILE_CHOOSER_ACTION_SAVE, _("Save the Fixed Model"), _("_Save"), self->output);
}

static void
on_quantize_clicked (LaminaQuantizeDialog *self)
{
  lamina_quantize_dialog_start (self);
}

static void
on_cancel_clicked (LaminaQuantizeDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

/* New row objects for every node: the table binds every row again. */
static void
refill_rows (LaminaQuantizeDialog *self)
{
  guint n = graph_of (self)->nodes->len;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_full (n + 1, g_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (strings, g_strdup_printf ("%u", i));
  g_ptr_array_add (strings, NULL);
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                          (const char *const *) strings->pdata);
}

/* Rows that followed the old default bits follow the new one. */
static void
on_bits_changed (LaminaQuantizeDialog *self)
{
  guint bits = adw_combo_row_get_selected (self->bits_row) == 1 ? 16 : 8;
  guint8 from = self->default_bits == 16 ? LAMINA_PRECISION_INT16 : LAMINA_PRECISION_INT8;
  guint8 to = bits == 16 ? LAMINA_PRECISION_INT16 : LAMINA_PRECISION_INT8;
  g_autofree char *old_output = NULL;
  LaminaGraph *graph;

  if (bits == self->default_bits || self->document == NULL)
    return;
  graph = graph_of (self);
  for (guint i = 0; i < graph->nodes->len; i++)
    if (self->precision[i] == from)
      self->precision[i] = to;
  /* the suggested file name follows, unless the user chose another */
  old_output = default_output (self->document, self->default_bits);
  if (g_strcmp0 (old_output, self->output) == 0)
    {
      g_autofree char *output = default_output (self->document, bits);
      lamina_quantize_dialog_set_output (self, output);
    }
  self->default_bits = bits;
  refill_rows (self);
}

/* ---- the layer table ------------------------------------------------------------ */

static LaminaNode *
node_of_item (LaminaQuantizeDialog *self, gpointer item)
{
  guint index = (guint) g_ascii_strtoull (gtk_string_object_get_string (item), NULL, 10);

  return g_ptr_array_index (graph_of (self)->nodes, index);
}

static gboolean
match_node (gpointer item, gpointer data)
{
  LaminaQuantizeDialog *self = data;
  LaminaNode *node = node_of_item (self, item);
  const char *op = gtk_editable_get_text (GTK_EDITABLE (self->op_filter));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_filter));
  g_autofree char *node_name = g_utf8_casefold (node->name, -1);
  g_autofree char *want = g_utf8_casefold (name, -1);

  return (op[0] == '\0' || g_ascii_strncasecmp (node->op_type, op, strlen (op)) == 0) &&
         (want[0] == '\0' || strstr (node_name, want) != NULL);
}

static void
setup_label (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_list_item_set_child (item, label);
}

static void
bind_name (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaQuantizeDialog *self)
{
  LaminaNode *node = node_of_item (self, gtk_list_item_get_item (item));
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  const LaminaTensor *out = node->outputs->len ? g_ptr_array_index (node->outputs, 0) : NULL;

  /* an unnamed node goes by its output */
  gtk_label_set_text (label, node->name[0] ? node->name : out ? out->name : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), node->name[0] ? node->name : out ? out->name : NULL);
}

static void
bind_op (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaQuantizeDialog *self)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      node_of_item (self, gtk_list_item_get_item (item))->op_type);
}

static void
on_precision_selected (GtkDropDown *dropdown, GParamSpec *pspec, LaminaQuantizeDialog *self)
{
  gpointer index = g_object_get_data (G_OBJECT (dropdown), "node-index");

  if (index != NULL)
    self->precision[GPOINTER_TO_UINT (index) - 1] = (guint8) gtk_drop_down_get_selected (dropdown);
}

static void
setup_precision (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaQuantizeDialog *self)
{
  GtkWidget *dropdown = gtk_drop_down_new_from_strings (precision_names);

  g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_precision_selected), self);
  gtk_list_item_set_child (item, dropdown);
}

static void
bind_precision (GtkSignalListItemFactory *factory, GtkListItem *item, LaminaQuantizeDialog *self)
{
  GtkWidget *dropdown = gtk_list_item_get_child (item);
  guint index = node_of_item (self, gtk_list_item_get_item (item))->index;

  /* index + 1: NULL means unbound, and setting the row must not write back */
  g_object_set_data (G_OBJECT (dropdown), "node-index", NULL);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), self->precision[index]);
  g_object_set_data (G_OBJECT (dropdown), "node-index", GUINT_TO_POINTER (index + 1));
}

static void
unbind_precision (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  g_object_set_data (G_OBJECT (gtk_list_item_get_child (item)), "node-index", NULL);
}

static void
add_column (LaminaQuantizeDialog *self, const char *title, GCallback setup, GCallback bind,
            GCallback unbind, gboolean expand)
{
  gtk_column_view_column_set_resizable (lamina_column_append (self->layers, title, expand, setup, bind, unbind, self),
                                        TRUE);
}

static void
fill_layers (LaminaQuantizeDialog *self)
{
  GtkFilterListModel *filtered;
  g_autoptr(GtkNoSelection) selection = NULL;

  self->precision = g_new0 (guint8, MAX (graph_of (self)->nodes->len, 1));
  self->rows = gtk_string_list_new (NULL);
  refill_rows (self);
  self->filter = GTK_FILTER (gtk_custom_filter_new (match_node, self, NULL));
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)), g_object_ref (self->filter));
  selection = gtk_no_selection_new (G_LIST_MODEL (filtered));
  gtk_column_view_set_model (self->layers, GTK_SELECTION_MODEL (selection));
  add_column (self, _("Name"), G_CALLBACK (setup_label), G_CALLBACK (bind_name), NULL, TRUE);
  add_column (self, _("Operator"), G_CALLBACK (setup_label), G_CALLBACK (bind_op), NULL, FALSE);
  add_column (self, _("Precision"), G_CALLBACK (setup_precision), G_CALLBACK (bind_precision),
              G_CALLBACK (unbind_precision), FALSE);
}

static void
on_filter_changed (LaminaQuantizeDialog *self)
{
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_DIFFERENT);
}

/* ---- object ------------------------------------------------------------------- */

static void
lamina_quantize_dialog_dispose (GObject *object)
{
  LaminaQuantizeDialog *self = LAMINA_QUANTIZE_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll, g_source_remove);
  lamina_file_chooser_close (&self->chooser);
  /* the table reads the document while it goes */
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_QUANTIZE_DIALOG);
  g_clear_weak_pointer (&self->parent);
  g_clear_object (&self->document);
  g_clear_object (&self->filter);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (lamina_quantize_dialog_parent_class)->dispose (object);
}

static void
lamina_quantize_dialog_finalize (GObject *object)
{
  LaminaQuantizeDialog *self = LAMINA_QUANTIZE_DIALOG (object);

  g_free (self->precision);
  g_free (self->folder);
  g_free (self->output);
  G_OBJECT_CLASS (lamina_quantize_dialog_parent_class)->finalize (object);
}

static void
lamina_quantize_dialog_class_init (LaminaQuantizeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_quantize_dialog_dispose;
  object_class->finalize = lamina_quantize_dialog_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-quantize-dialog.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, LaminaQuantizeDialog, name)
  CHILD (toast_overlay);
  CHILD (cancel_button);
  CHILD (quantize_button);
  CHILD (settings_box);
  CHILD (folder_row);
  CHILD (folder_button);
  CHILD (method_row);
  CHILD (bits_row);
  CHILD (output_row);
  CHILD (output_button);
  CHILD (op_filter);
  CHILD (name_filter);
  CHILD (layers);
  CHILD (error_label);
  CHILD (progress_box);
  CHILD (progress_bar);
  CHILD (progress_label);
#undef CHILD
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lamina_quantize_dialog_init (LaminaQuantizeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->default_bits = 8;
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (on_folder_clicked), self);
  g_signal_connect_swapped (self->output_button, "clicked", G_CALLBACK (on_output_clicked), self);
  g_signal_connect_swapped (self->quantize_button, "clicked", G_CALLBACK (on_quantize_clicked), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  g_signal_connect_swapped (self->bits_row, "notify::selected", G_CALLBACK (on_bits_changed), self);
  g_signal_connect_swapped (self->op_filter, "search-changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->name_filter, "search-changed", G_CALLBACK (on_filter_changed), self);
}

LaminaQuantizeDialog *
lamina_quantize_dialog_new (LaminaWindow *parent)
{
  LaminaQuantizeDialog *self;
  g_autofree char *output = NULL;

  g_return_val_if_fail (LAMINA_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (lamina_window_get_document (parent) != NULL, NULL);
  self = g_object_new (LAMINA_TYPE_QUANTIZE_DIALOG, "transient-for", parent, NULL);
  g_set_weak_pointer (&self->parent, parent);
  self->document = g_object_ref (lamina_window_get_document (parent));
  output = default_output (self->document, 8);
  fill_layers (self);
  lamina_quantize_dialog_set_folder (self, NULL);
  lamina_quantize_dialog_set_output (self, output);
  return self;
}
