/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-window-compare.c: the window's Compare page wiring. The window's
 * model and a partner of the other kind (float ↔ fixed) make the pair of a
 * LaminaCompareSession: the partner is the float model the Quantize…
 * dialog quantized (lamina_window_set_compare_partner, before the fixed
 * model has opened), or any file picked with Compare With… Once the pair
 * is known the Compare page appears beside Graph and Image; an image
 * dropped, opened or pasted while it is shown runs both models on it.
 *
 * The page's side panel has two more pages. "Layers": the metrics table
 * of the last comparison (worst SQNR first); a row selects its layer's node
 * in the window's graph (whichever model of the pair the window shows) and
 * makes it the heatmap's layer, a node or edge selected in the graph selects
 * its row; its "Colour graph by" metric colours the graph's node headers
 * (the window hides its category legend meanwhile). "What to do": the
 * suggest panel on the pair's float model and the compared image (the
 * images beside it calibrate, unless the user picks others); "Re-quantize
 * with Selected" opens the new model in a new window that compares it with
 * the same float model on the same image. A tensor of a pair opened in the
 * Graph page's tensor view shows both values, overlaid.
 *
 * Actions: compare-with (a file chooser), compare-with-file(s: model
 * path), compare-image(s: image path; shows the page), compare-layer(s:
 * the heatmap's layer, a float or fixed tensor name), compare-side-page(s:
 * "image" | "layers" | "what-to-do"), color-metric(s: "sqnr" | "cosine" |
 * "mse" | "max-abs" | "clipped" | "none").
 */
#define G_LOG_DOMAIN "lamina-window"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-window-private.h"

/* the names of win.color-metric, by LaminaMetricKind */
static const char *const metric_names[LAMINA_N_METRICS] = { "none", "cosine", "sqnr", "mse", "max-abs", "clipped" };

static void update_actions (LaminaWindow *self);

static GtkStackPage *
compare_stack_page (LaminaWindow *self)
{
  return gtk_stack_get_page (self->content_stack, GTK_WIDGET (self->compare_page));
}

gboolean
lamina_window_compare_is_shown (LaminaWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "compare") == 0;
}

static void
show_compare_page (LaminaWindow *self)
{
  gtk_stack_page_set_visible (compare_stack_page (self), TRUE);
  gtk_stack_set_visible_child_name (self->content_stack, "compare");
}

/* ---- the pair ------------------------------------------------------------------- */

/* Runs the image waiting for the pair, if any. */
static void
run_pending_image (LaminaWindow *self)
{
  g_autoptr(LaminaImage) image = g_steal_pointer (&self->compare_image);
  g_autofree char *path = g_strdup (self->compare_image_path);
  g_autoptr(GError) error = NULL;

  if (image != NULL && !lamina_window_compare_set_image (self, g_steal_pointer (&image), path, &error))
    lamina_window_toast (self, error->message, 0);
}

/* The window's model and the partner, ordered float, fixed; FALSE with a
 * toast when they are not one of each kind. */
static gboolean
make_pair (LaminaWindow *self, LaminaDocument *partner)
{
  LaminaGraphKind mine = lamina_document_get_model (self->document)->kind;
  LaminaGraphKind other = lamina_document_get_model (partner)->kind;
  g_autofree char *message = NULL;

  if ((mine == LAMINA_KIND_FIXED) == (other == LAMINA_KIND_FIXED))
    {
      message = g_strdup_printf (_("Cannot compare “%s” with “%s”: one model must be float and the other fixed (quantized)"),
                                 lamina_document_get_title (self->document), lamina_document_get_title (partner));
      lamina_window_toast (self, message, 0);
      return FALSE;
    }
  if (mine == LAMINA_KIND_FIXED)
    lamina_compare_session_set_models (self->compare_session, partner, self->document);
  else
    lamina_compare_session_set_models (self->compare_session, self->document, partner);
  gtk_stack_page_set_visible (compare_stack_page (self), TRUE);
  return TRUE;
}

/* show: the user asked for this partner (Compare With…): the page comes
 * up, ready for an image. */
static void
set_partner (LaminaWindow *self, LaminaDocument *partner, gboolean show)
{
  if (partner == NULL || !make_pair (self, partner))
    {
      g_clear_pointer (&self->compare_image, lamina_image_free);
      update_actions (self);
      return;
    }
  update_actions (self);
  if (show)
    show_compare_page (self);
  run_pending_image (self);
}

void
lamina_window_set_compare_partner (LaminaWindow *self, LaminaDocument *partner)
{
  g_return_if_fail (LAMINA_IS_WINDOW (self));
  g_return_if_fail (LAMINA_IS_DOCUMENT (partner));

  /* before the window's own model has opened: paired once it has */
  if (self->document == NULL || self->open_cancellable != NULL)
    {
      g_set_object (&self->compare_partner, partner);
      return;
    }
  set_partner (self, partner, FALSE);
}

static void
on_partner_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaDocument) partner = lamina_document_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->compare_cancellable);
  if (partner == NULL)
    {
      lamina_window_toast (self, error->message, 0);
      set_partner (self, NULL, FALSE);
      return;
    }
  set_partner (self, partner, TRUE);
}

gboolean
lamina_window_compare_with_file (LaminaWindow *self, GFile *file, GError **error)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  if (self->document == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Open a model first"));
      return FALSE;
    }
  if (self->compare_cancellable)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  self->compare_cancellable = g_cancellable_new ();
  lamina_document_load_async (file, self->compare_cancellable, on_partner_loaded, g_object_ref (self));
  update_actions (self);
  return TRUE;
}

/* ---- images ----------------------------------------------------------------------- */

gboolean
lamina_window_compare_set_image (LaminaWindow *self, LaminaImage *image, const char *path, GError **error)
{
  g_autoptr(LaminaImage) owned = image;
  g_autofree char *absolute = path ? g_canonicalize_filename (path, NULL) : NULL;

  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  /* the partner, or this window's model with a partner waiting, is still
   * loading: the image waits for the pair */
  if (!lamina_compare_session_is_ready (self->compare_session) &&
      (self->compare_cancellable != NULL || self->compare_partner != NULL))
    {
      g_clear_pointer (&self->compare_image, lamina_image_free);
      self->compare_image = g_steal_pointer (&owned);
      g_free (self->compare_image_path);
      self->compare_image_path = g_steal_pointer (&absolute);
      return TRUE;
    }
  if (!lamina_compare_session_run (self->compare_session, image, error))
    return FALSE;
  g_free (self->compare_image_path);
  self->compare_image_path = g_steal_pointer (&absolute);
  show_compare_page (self);
  return TRUE;
}

gboolean
lamina_window_compare_image_file (LaminaWindow *self, const char *path, GError **error)
{
  LaminaImage *image;

  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  image = lamina_image_load (path, error);
  return image != NULL && lamina_window_compare_set_image (self, image, path, error);
}

/* ---- Layers: the metrics table and the graph ------------------------------------------- */

/* TRUE when the window shows the fixed model of the pair. */
static gboolean
shows_fixed (LaminaWindow *self)
{
  return self->document != NULL && lamina_compare_session_get_fixed (self->compare_session) == self->document;
}

static gboolean
is_op (const LaminaNode *node, const char *op_type)
{
  return node != NULL && g_str_equal (node->op_type, op_type);
}

/* Input i of node, or NULL (optional inputs are NULL too). */
static const LaminaTensor *
node_input (const LaminaNode *node, guint i)
{
  return i < node->inputs->len ? g_ptr_array_index (node->inputs, i) : NULL;
}

/* The box standing for a tensor of the window's graph: its producer's —
 * for a QuantizeLinear (QDQ) the operator whose output it quantizes, when
 * that is drawn — or a graph input's pill; -1 when none is drawn. */
static int
layer_box (LaminaWindow *self, const LaminaTensor *t)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  const LaminaLayout *layout;
  const LaminaTensor *in;

  if (scene == NULL || t == NULL)
    return -1;
  if (is_op (t->producer, "QuantizeLinear") && (in = node_input (t->producer, 0)) != NULL && in->producer != NULL &&
      lamina_graph_view_find_box (self->graph_view, in->producer) >= 0)
    return lamina_graph_view_find_box (self->graph_view, in->producer);
  if (t->producer != NULL)
    return lamina_graph_view_find_box (self->graph_view, t->producer);
  layout = lamina_scene_get_layout (scene);
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      if (box->kind != LAMINA_BOX_NODE && box->tensor == t)
        return (int) i;
    }
  return -1;
}

/* A row selected: its layer's node in the graph, its layer in the heatmap. */
static void
on_pair_selected (LaminaWindow *self, int index, const LaminaTensor *flt, const LaminaTensor *fixed)
{
  int box;

  if (index < 0)
    return;
  box = layer_box (self, shows_fixed (self) ? fixed : flt);
  self->compare_syncing = TRUE;
  if (box >= 0)
    lamina_graph_view_select (self->graph_view, box, TRUE);
  self->compare_syncing = FALSE;
  /* only feature maps of the image have one: the others leave it as it is */
  lamina_compare_page_select_layer (self->compare_page, flt->name);
}

/* The heatmap's layer picked on the Boxes and Heatmap page: its row in the
 * Layers table and its node in the graph, as a row selection would. */
static void
on_heatmap_layer_changed (LaminaWindow *self, const LaminaTensor *flt, const LaminaTensor *fixed)
{
  int box;

  if (self->metrics_table == NULL || flt == NULL)
    return;
  lamina_metrics_table_select_tensor (self->metrics_table, flt);
  box = layer_box (self, shows_fixed (self) ? fixed : flt);
  self->compare_syncing = TRUE;
  if (box >= 0)
    lamina_graph_view_select (self->graph_view, box, TRUE);
  self->compare_syncing = FALSE;
}

/* Selects the row of a tensor of the window's graph: its own pair, else
 * (QDQ) that of a QuantizeLinear reading it or of the tensor a
 * DequantizeLinear made it from. */
static gboolean
select_row_of (LaminaWindow *self, const LaminaTensor *t)
{
  if (t == NULL)
    return FALSE;
  if (lamina_metrics_table_select_tensor (self->metrics_table, t))
    return TRUE;
  for (guint i = 0; i < t->consumers->len; i++)
    {
      const LaminaNode *c = g_ptr_array_index (t->consumers, i);
      if (is_op (c, "QuantizeLinear") && c->outputs->len > 0 &&
          lamina_metrics_table_select_tensor (self->metrics_table, g_ptr_array_index (c->outputs, 0)))
        return TRUE;
    }
  return is_op (t->producer, "DequantizeLinear") &&
         lamina_metrics_table_select_tensor (self->metrics_table, node_input (t->producer, 0));
}

/* The graph's selected node (any of its outputs) or edge selects its row. */
static void
on_graph_selection (LaminaWindow *self)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  int selected = lamina_graph_view_get_selected (self->graph_view);
  int edge = lamina_graph_view_get_selected_edge (self->graph_view);
  const LaminaLayout *layout;
  gboolean found = FALSE;

  if (self->compare_syncing || scene == NULL || lamina_metrics_table_get_n_layers (self->metrics_table) == 0)
    return;
  layout = lamina_scene_get_layout (scene);
  if (selected >= 0)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, selected);
      if (box->node == NULL)
        found = select_row_of (self, box->tensor);
      for (guint i = 0; box->node != NULL && i < box->node->outputs->len && !found; i++)
        found = select_row_of (self, g_ptr_array_index (box->node->outputs, i));
    }
  else if (edge >= 0)
    found = select_row_of (self, g_array_index (layout->edges, LaminaEdge, edge).tensor);
  if (!found)
    lamina_metrics_table_select_tensor (self->metrics_table, NULL);
}

static void
apply_colouring (LaminaWindow *self)
{
  lamina_metrics_table_apply_to_graph (self->metrics_table, self->graph_view, shows_fixed (self));
}

/* ---- What to do: the suggest panel ---------------------------------------------------- */

static char *
document_path (LaminaDocument *document)
{
  return document ? g_file_get_path (lamina_document_get_file (document)) : NULL;
}

/* "<dir>/<stem>-mixed.onnx" beside the fixed model (the float model's
 * folder may be read-only, a shared model zoo). */
static char *
mixed_output (const char *fixed_path)
{
  g_autofree char *dir = g_path_get_dirname (fixed_path);
  g_autofree char *base = g_path_get_basename (fixed_path);
  char *dot = strrchr (base, '.');
  g_autofree char *name = NULL;

  if (dot != NULL && dot != base)
    *dot = '\0';
  name = g_strconcat (base, "-mixed.onnx", NULL);
  return g_build_filename (dir, name, NULL);
}

/* The pair's float model, the image compared (none for a pasted one), by
 * default the images beside it for calibration (once per pair: the user
 * may pick others), the output beside the fixed model. Each setting drops
 * the panel's earlier measurement; a busy panel keeps its own. */
static void
update_suggest_settings (LaminaWindow *self)
{
  LaminaSuggestPanel *panel = self->suggest_panel;
  g_autofree char *model = document_path (lamina_compare_session_get_float (self->compare_session));
  g_autofree char *fixed = document_path (lamina_compare_session_get_fixed (self->compare_session));
  g_autofree char *output = fixed ? mixed_output (fixed) : NULL;
  const char *image = lamina_compare_session_get_result (self->compare_session) ? self->compare_image_path : NULL;

  if (lamina_suggest_panel_is_busy (panel))
    return;
  lamina_suggest_panel_set_model (panel, model);
  lamina_suggest_panel_set_output (panel, output);
  lamina_suggest_panel_set_eval_image (panel, image);
  if (image != NULL && !self->calib_defaulted)
    {
      g_autofree char *dir = g_path_get_dirname (image);
      lamina_suggest_panel_set_calibration (panel, (const char *const[]) { dir, NULL });
      self->calib_defaulted = TRUE;
    }
}

/* The re-quantized model in a new window, compared with the same float
 * model on the same image. */
static void
on_requantized (LaminaWindow *self, const char *path, double before, double after)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  LaminaWindow *window = lamina_window_new (app);
  LaminaDocument *flt = lamina_compare_session_get_float (self->compare_session);
  const LaminaImage *image = lamina_compare_session_get_image (self->compare_session);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *base = g_path_get_basename (path), *message = NULL;
  g_autoptr(GError) error = NULL;
  int w = 0, h = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &w, &h);
  if (w > 0 && h > 0)
    gtk_window_set_default_size (GTK_WINDOW (window), w, h);
  gtk_window_present (GTK_WINDOW (window));
  lamina_window_open (window, file);
  if (flt != NULL)
    lamina_window_set_compare_partner (window, flt);
  if (flt != NULL && image != NULL &&
      !lamina_window_compare_set_image (window, lamina_image_copy (image), self->compare_image_path, &error))
    lamina_window_toast (window, error->message, 0);
  message = g_strdup_printf (_("“%s”: output SQNR %.2f dB → %.2f dB on the evaluation image"), base, before, after);
  lamina_window_toast (window, message, 8);
}

/* lamina_window_compare_suggest's next click, once the panel is idle and
 * has shown its results (it notifies "busy" before that). */
static gboolean
suggest_next_step (gpointer data)
{
  LaminaWindow *self = data;
  LaminaSuggestPanel *panel = self->suggest_panel;

  self->suggest_idle = 0;
  if (lamina_suggest_panel_is_busy (panel))
    return G_SOURCE_REMOVE;
  if (self->suggest_auto == SUGGEST_AUTO_MEASURE_APPLY && lamina_suggest_panel_get_result (panel) != NULL)
    {
      self->suggest_auto = SUGGEST_AUTO_APPLYING;
      lamina_suggest_panel_apply (panel);
    }
  if (!lamina_suggest_panel_is_busy (panel))
    self->suggest_auto = SUGGEST_AUTO_NONE;
  return G_SOURCE_REMOVE;
}

static void
on_suggest_busy (LaminaWindow *self)
{
  if (self->suggest_auto != SUGGEST_AUTO_NONE && !lamina_suggest_panel_is_busy (self->suggest_panel) &&
      self->suggest_idle == 0)
    self->suggest_idle = g_idle_add (suggest_next_step, self);
}

/* Measures now when lamina_window_compare_suggest asked for it. */
static void
start_auto_suggest (LaminaWindow *self)
{
  if (self->suggest_auto != SUGGEST_AUTO_MEASURE && self->suggest_auto != SUGGEST_AUTO_MEASURE_APPLY)
    return;
  lamina_suggest_panel_start (self->suggest_panel);
  if (!lamina_suggest_panel_is_busy (self->suggest_panel))
    {
      self->suggest_auto = SUGGEST_AUTO_NONE;
      lamina_window_toast (self, _("Nothing to measure: the What to Do page needs calibration images and an evaluation image"), 0);
    }
}

void
lamina_window_compare_suggest (LaminaWindow *self, guint candidates, gboolean apply)
{
  g_return_if_fail (LAMINA_IS_WINDOW (self));
  lamina_suggest_panel_set_candidates (self->suggest_panel, candidates);
  self->suggest_auto = apply ? SUGGEST_AUTO_MEASURE_APPLY : SUGGEST_AUTO_MEASURE;
  if (lamina_compare_session_get_result (self->compare_session) != NULL)
    start_auto_suggest (self);
}

/* ---- the tensor view ------------------------------------------------------------------- */

/* The measured layer of t (a float or fixed tensor of the pair), or NULL. */
static const LaminaCompareLayer *
layer_of_tensor (LaminaWindow *self, const LaminaTensor *t)
{
  for (guint i = 0; i < lamina_compare_session_get_n_layers (self->compare_session); i++)
    {
      const LaminaCompareLayer *l = lamina_compare_session_get_layer (self->compare_session, i);
      if (l->pair->flt == t || l->pair->fixed == t)
        return l;
    }
  return NULL;
}

gboolean
lamina_window_compare_show_tensor (LaminaWindow *self, const LaminaTensor *t)
{
  const LaminaCompareLayer *l = layer_of_tensor (self, t);
  LaminaDocument *fixed_doc = lamina_compare_session_get_fixed (self->compare_session);
  const LaminaValue *fv, *xv;
  LaminaValue flt = { 0 }, fixed = { 0 };

  if (l == NULL || !lamina_compare_session_get_values (self->compare_session, l->pair, &fv, &xv) ||
      !lamina_value_copy (&flt, fv, NULL))
    return FALSE;
  if (!lamina_value_copy (&fixed, xv, NULL))
    {
      lamina_value_clear (&flt);
      return FALSE;
    }
  /* the fixed tensor's name and values, the float values laid over them */
  lamina_tensor_view_show_pair (self->tensor_view, l->pair->fixed, &fixed, l->pair->quant, &flt,
                                lamina_document_get_model (fixed_doc)->format == LAMINA_FORMAT_TFLITE);
  return TRUE;
}

/* ---- the pages follow the comparison ------------------------------------------------------ */

/* A new result (or none): the table, the graph colouring and the What to
 * do settings. */
static void
show_result (LaminaWindow *self)
{
  const LaminaCompare *c = lamina_compare_session_get_result (self->compare_session);

  lamina_metrics_table_set_layers (self->metrics_table, c ? c->match : NULL, c ? c->layers : NULL);
  apply_colouring (self);
  on_graph_selection (self);
  update_suggest_settings (self);
}

/* Another pair, or none: the pages start over, and a pair in the tensor
 * view goes (its fixed tensor may be the old partner's). */
static void
on_pair_changed (LaminaWindow *self)
{
  self->calib_defaulted = FALSE;
  lamina_suggest_panel_cancel (self->suggest_panel);
  if (lamina_tensor_view_is_pair (self->tensor_view))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.close-tensor", NULL);
  show_result (self);
}

/* ---- actions ------------------------------------------------------------------------- */

static void
action_compare_with_file (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  g_autoptr(GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));
  g_autoptr(GError) error = NULL;

  if (!lamina_window_compare_with_file (self, file, &error))
    lamina_window_toast (self, error->message, 0);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
on_compare_with_response (GtkNativeDialog *dialog, int response, LaminaWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->dialog);
  if (file != NULL && !lamina_window_compare_with_file (self, file, &error))
    lamina_window_toast (self, error->message, 0);
}

static void
action_compare_with (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *models[] = { "*.onnx", "*.tflite", "*.ONNX", "*.TFLITE", NULL };
  gboolean fixed;
  GtkFileChooserNative *chooser;

  if (self->dialog || self->document == NULL)
    return;
  fixed = lamina_document_get_model (self->document)->kind == LAMINA_KIND_FIXED;
  chooser = gtk_file_chooser_native_new (fixed ? _("Compare with the Float Model") : _("Compare with a Fixed Model"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Compare"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lamina_window_file_filter (_("Models (ONNX, TFLite)"), models));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_compare_with_response), self);
  gtk_native_dialog_show (self->dialog);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
action_compare_image (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!lamina_window_compare_image_file (self, g_variant_get_string (param, NULL), &error))
    lamina_window_toast (self, error->message, 0);
}

static void
action_compare_layer (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *layer = g_variant_get_string (param, NULL);
  g_autofree char *message = NULL;

  /* before a result the page keeps the name for it */
  if (!lamina_compare_page_select_layer (self->compare_page, layer) &&
      lamina_compare_session_get_result (self->compare_session) != NULL)
    {
      message = g_strdup_printf (_("No compared layer with an image-like output is called “%s”"), layer);
      lamina_window_toast (self, message, 0);
    }
}

static void
update_actions (LaminaWindow *self)
{
  gboolean model = self->document != NULL;
  gboolean pair = lamina_compare_session_is_ready (self->compare_session) || self->compare_cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-with", model);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-with-file", model);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compare-image", pair);
}

static void
action_compare_side_page (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *page = g_variant_get_string (param, NULL);
  g_autofree char *message = NULL;

  if (!lamina_compare_page_show_side_page (self->compare_page, page))
    {
      message = g_strdup_printf (_("The Compare page has no side page called “%s”"), page);
      lamina_window_toast (self, message, 0);
    }
}

static void
action_color_metric (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *metric = g_variant_get_string (param, NULL);
  g_autofree char *message = NULL;

  for (guint k = 0; k < LAMINA_N_METRICS; k++)
    if (g_str_equal (metric, metric_names[k]) || (k == LAMINA_METRIC_NONE && g_str_equal (metric, "off")))
      {
        lamina_metrics_table_set_color_metric (self->metrics_table, (LaminaMetricKind) k);
        return;
      }
  message = g_strdup_printf (_("Unknown metric “%s” (sqnr, cosine, mse, max-abs, clipped or none)"), metric);
  lamina_window_toast (self, message, 0);
}

/* A run that failed says why where the user looks; one that succeeded
 * fills the other pages. */
static void
on_compare_finished (LaminaWindow *self, const char *message)
{
  if (message != NULL)
    {
      lamina_window_toast (self, message, 0);
      return;
    }
  show_result (self);
  /* a tensor shown gets the values of this run, as a pair when it is one */
  lamina_window_refresh_tensor (self);
  start_auto_suggest (self);
}

/* ---- window hooks ------------------------------------------------------------------------- */

gboolean
lamina_window_compare_is_settled (LaminaWindow *self)
{
  return self->compare_cancellable == NULL && self->compare_image == NULL &&
         !lamina_compare_session_is_running (self->compare_session) &&
         !(self->suggest_panel != NULL && lamina_suggest_panel_is_busy (self->suggest_panel)) &&
         self->suggest_auto == SUGGEST_AUTO_NONE;
}

void
lamina_window_compare_set_document (LaminaWindow *self, LaminaDocument *document)
{
  g_autoptr(LaminaDocument) partner = g_steal_pointer (&self->compare_partner);

  /* another model in this window: the old pair no longer applies (an
   * image waiting for a partner set before the model opened stays) */
  if (self->compare_cancellable)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  if (partner == NULL || document == NULL)
    {
      g_clear_pointer (&self->compare_image, lamina_image_free);
      g_clear_pointer (&self->compare_image_path, g_free);
    }
  /* a tensor of the previous model must not be refreshed by a comparison
   * of this one (the new scene would close it too, later) */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.close-tensor", NULL);
  lamina_compare_session_set_models (self->compare_session, NULL, NULL);
  gtk_stack_page_set_visible (compare_stack_page (self), FALSE);
  if (partner != NULL && document != NULL)
    set_partner (self, partner, FALSE);
  update_actions (self);
}

void
lamina_window_compare_dispose (LaminaWindow *self)
{
  if (self->compare_cancellable)
    g_cancellable_cancel (self->compare_cancellable);
  g_clear_object (&self->compare_cancellable);
  g_clear_object (&self->compare_partner);
  g_clear_pointer (&self->compare_image, lamina_image_free);
  g_clear_pointer (&self->compare_image_path, g_free);
  g_clear_handle_id (&self->suggest_idle, g_source_remove);
  self->suggest_auto = SUGGEST_AUTO_NONE;
  /* the table and the panel go with the page, after this */
  if (self->graph_view != NULL)
    g_signal_handlers_disconnect_by_func (self->graph_view, on_graph_selection, self);
  if (self->metrics_table != NULL)
    g_signal_handlers_disconnect_by_data (self->metrics_table, self);
  if (self->suggest_panel != NULL)
    {
      lamina_suggest_panel_cancel (self->suggest_panel);
      g_signal_handlers_disconnect_by_data (self->suggest_panel, self);
    }
  self->metrics_table = NULL;
  self->suggest_panel = NULL;
  if (self->compare_session)
    {
      lamina_compare_session_cancel (self->compare_session);
      g_signal_handlers_disconnect_by_data (self->compare_session, self);
    }
  g_clear_object (&self->compare_session);
}

LaminaCompareSession *
lamina_window_get_compare_session (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->compare_session;
}

LaminaComparePage *
lamina_window_get_compare_page (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->compare_page;
}

LaminaMetricsTable *
lamina_window_get_metrics_table (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->metrics_table;
}

LaminaSuggestPanel *
lamina_window_get_suggest_panel (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->suggest_panel;
}

void
lamina_window_compare_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (LAMINA_TYPE_COMPARE_PAGE);
  gtk_widget_class_install_action (widget_class, "win.compare-with", NULL, action_compare_with);
  gtk_widget_class_install_action (widget_class, "win.compare-with-file", "s", action_compare_with_file);
  gtk_widget_class_install_action (widget_class, "win.compare-image", "s", action_compare_image);
  gtk_widget_class_install_action (widget_class, "win.compare-layer", "s", action_compare_layer);
  gtk_widget_class_install_action (widget_class, "win.compare-side-page", "s", action_compare_side_page);
  gtk_widget_class_install_action (widget_class, "win.color-metric", "s", action_color_metric);
}

void
lamina_window_compare_init (LaminaWindow *self)
{
  self->compare_session = lamina_compare_session_new ();
  g_signal_connect_swapped (self->compare_session, "finished", G_CALLBACK (on_compare_finished), self);
  g_signal_connect_swapped (self->compare_session, "notify::ready", G_CALLBACK (on_pair_changed), self);
  lamina_compare_page_set_session (self->compare_page, self->compare_session);
  gtk_stack_page_set_visible (compare_stack_page (self), FALSE);

  self->metrics_table = LAMINA_METRICS_TABLE (lamina_metrics_table_new ());
  lamina_compare_page_add_side_page (self->compare_page, GTK_WIDGET (self->metrics_table), "layers", _("Layers"));
  g_signal_connect_swapped (self->metrics_table, "pair-selected", G_CALLBACK (on_pair_selected), self);
  g_signal_connect_object (self->compare_page, "layer-changed", G_CALLBACK (on_heatmap_layer_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->metrics_table, "notify::color-metric", G_CALLBACK (apply_colouring), self);
  g_signal_connect_swapped (self->graph_view, "notify::selected", G_CALLBACK (on_graph_selection), self);
  g_signal_connect_swapped (self->graph_view, "notify::selected-edge", G_CALLBACK (on_graph_selection), self);

  self->suggest_panel = LAMINA_SUGGEST_PANEL (lamina_suggest_panel_new ());
  lamina_compare_page_add_side_page (self->compare_page, GTK_WIDGET (self->suggest_panel), "what-to-do", _("What to Do"));
  g_signal_connect_swapped (self->suggest_panel, "requantized", G_CALLBACK (on_requantized), self);
  g_signal_connect_swapped (self->suggest_panel, "notify::busy", G_CALLBACK (on_suggest_busy), self);
  update_actions (self);
}
