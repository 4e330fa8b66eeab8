/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-window"

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-window-private.h"
#include "lamina-resources.h"
#include "lamina-quantize-dialog.h"
#include "lamina-search.h"
#include "lamina-tensor-view.h"
#include "graph/lamina-op-info.h"
#include "ops/lamina-kernel.h"
#include "render/lamina-render.h"
#include "vision/lamina-preset.h"

#define MAX_RESULTS 200
#define MAX_RECENT 8
#define RECENT_GROUP "lamina-model"
/* a layout faster than this never shows the progress bar */
#define PROGRESS_DELAY_MS 250
/* the canvas follows a running simulation at this pace */
#define SIM_REDRAW_MS 100

G_DEFINE_FINAL_TYPE (LaminaWindow, lamina_window, ADW_TYPE_APPLICATION_WINDOW)

enum { OPENED, OPEN_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* simulator and tensor page (defined further down) */
static void update_marks (LaminaWindow *self);
static void update_sim_actions (LaminaWindow *self);
static void set_session (LaminaWindow *self, LaminaDocument *document);
static void update_quantize_actions (LaminaWindow *self);
static void close_tensor (LaminaWindow *self);

void
lamina_window_toast (LaminaWindow *self, const char *message, guint timeout)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  /* a job may finish after the window was closed (destroyed windows are
   * hidden first; a toast added then breaks the overlay's disposal) */
  if (self->toast_overlay == NULL || !gtk_widget_get_visible (GTK_WIDGET (self)))
    return;
  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, timeout);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- pages -------------------------------------------------------------------- */

static void
on_page_changed (LaminaWindow *self)
{
  gboolean model = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "graph") == 0;
  gboolean graph = model && g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "graph") == 0;

  gtk_widget_set_visible (self->zoom_box, model);
  gtk_widget_set_visible (self->page_switcher, model);
  gtk_widget_set_visible (GTK_WIDGET (self->search_button), graph);
  lamina_window_image_page_changed (self);
  gtk_spinner_set_spinning (self->loading_spinner,
                            g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "loading") == 0);
  if (!graph)
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
show_home_page (LaminaWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, self->document ? "graph" : "welcome");
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* ---- recent files ------------------------------------------------------------------ */

static void
on_file_row_activated (AdwActionRow *row, LaminaWindow *self)
{
  GFile *file = g_object_get_data (G_OBJECT (row), "file");

  lamina_window_open (self, file);
}

/* A row that opens file: its name, and the folder it is in. */
static GtkWidget *
file_row (LaminaWindow *self, GFile *file)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *where = parent ? g_file_get_parse_name (parent) : NULL;
  g_autofree char *name = g_file_get_basename (file);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), where);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "file", g_object_ref (file), g_object_unref);
  g_signal_connect (row, "activated", G_CALLBACK (on_file_row_activated), self);
  return row;
}

static gint
compare_recent (gconstpointer a, gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified (*(GtkRecentInfo **) a);
  GDateTime *tb = gtk_recent_info_get_modified (*(GtkRecentInfo **) b);

  return g_date_time_compare (tb, ta);
}

static void
refresh_recent (LaminaWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  g_autoptr(GPtrArray) ours = g_ptr_array_new ();
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))))
    gtk_list_box_remove (self->recent_list, child);
  for (GList *l = items; l; l = l->next)
    if (gtk_recent_info_has_group (l->data, RECENT_GROUP) && gtk_recent_info_exists (l->data))
      g_ptr_array_add (ours, l->data);
  g_ptr_array_sort (ours, compare_recent);
  for (guint i = 0; i < ours->len && shown < MAX_RECENT; i++, shown++)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (gtk_recent_info_get_uri (g_ptr_array_index (ours, i)));
      gtk_list_box_append (self->recent_list, file_row (self, file));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), shown > 0);
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

/* Sample models: $LAMINA_SAMPLES_DIR (set by build-aux/lamina-dev.sh run),
 * else those installed with Lamina. */
static void
fill_samples (LaminaWindow *self)
{
  const char *dir_path = g_getenv ("LAMINA_SAMPLES_DIR") ? g_getenv ("LAMINA_SAMPLES_DIR") : PKGDATADIR "/samples";
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".onnx") || g_str_has_suffix (name, ".tflite"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      gtk_list_box_append (self->samples_list, file_row (self, file));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->samples_group), names->len > 0);
}

static void
remember_file (GFile *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *type = g_content_type_guess (base, NULL, 0, NULL);
  g_autofree char *mime = g_content_type_get_mime_type (type);
  const char *groups[] = { RECENT_GROUP, NULL };
  GtkRecentData data = {
    .mime_type = mime ? mime : (char *) "application/octet-stream",
    .app_name = (char *) "lamina",
    .app_exec = (char *) "lamina %u",
    .groups = (char **) groups,
  };

  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

/* ---- legend -------------------------------------------------------------------------- */

/* One coloured square and name per operator category present in the graph. */
/* The node header's fill inside a thin outline in the text colour: the
 * graph outlines every node too, and without one the "Other" fill (#333)
 * vanishes on the dark legend. */
static void
draw_legend_swatch (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  GdkRGBA fg;
  double r, g, b;

  lamina_op_category_color (GPOINTER_TO_INT (data), &r, &g, &b);
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  cairo_rectangle (cr, 0.5, 0.5, w - 1, h - 1);
  cairo_set_source_rgb (cr, r, g, b);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.7);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
update_legend (LaminaWindow *self)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  gboolean present[LAMINA_N_OP_CATEGORIES] = { FALSE };
  GtkWidget *child;
  const LaminaLayout *layout;
  int row = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->legend))) != NULL)
    gtk_grid_remove (self->legend, child);
  if (scene == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->legend), FALSE);
      return;
    }
  layout = lamina_scene_get_layout (scene);
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      if (box->kind == LAMINA_BOX_NODE)
        present[lamina_op_category (box->title)] = TRUE;
    }
  for (guint c = 0; c < LAMINA_N_OP_CATEGORIES; c++)
    {
      GtkWidget *swatch, *name;

      if (!present[c])
        continue;
      swatch = gtk_drawing_area_new ();
      gtk_widget_set_size_request (swatch, 10, 10);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_legend_swatch, GINT_TO_POINTER (c), NULL);
      name = gtk_label_new (lamina_op_category_name (c));
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_grid_attach (self->legend, swatch, 0, row, 1, 1);
      gtk_grid_attach (self->legend, name, 1, row, 1, 1);
      row++;
    }
  /* the metric colouring has a legend of its own (in the canvas) */
  gtk_widget_set_visible (GTK_WIDGET (self->legend), row > 0 && !lamina_graph_view_has_node_metric (self->graph_view));
}

/* ---- selection ------------------------------------------------------------------------- */

static void
on_selection_changed (LaminaWindow *self)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  int selected = lamina_graph_view_get_selected (self->graph_view);
  const LaminaBox *box = NULL;

  if (scene != NULL && selected >= 0)
    box = &g_array_index (lamina_scene_get_layout (scene)->boxes, LaminaBox, selected);
  lamina_node_panel_show_box (self->node_panel, box);
  /* an edge selection keeps its tensor page; a node brings its own page */
  if (selected >= 0 || lamina_graph_view_get_selected_edge (self->graph_view) < 0)
    close_tensor (self);
  update_sim_actions (self);
}

static void
on_scene_changed (LaminaWindow *self)
{
  gboolean ready = lamina_graph_view_get_scene (self->graph_view) != NULL;

  update_legend (self);
  update_marks (self);
  close_tensor (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-to", ready);
  if (ready)
    gtk_widget_grab_focus (GTK_WIDGET (self->graph_view));
}

static gboolean
show_progress (gpointer data)
{
  LaminaWindow *self = data;

  self->progress_timeout = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_loading_changed (LaminaWindow *self)
{
  gboolean loading;

  g_object_get (self->graph_view, "loading", &loading, NULL);
  g_clear_handle_id (&self->progress_timeout, g_source_remove);
  if (loading)
    self->progress_timeout = g_timeout_add (PROGRESS_DELAY_MS, show_progress, self);
  else
    gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
}

static void
on_layout_failed (LaminaWindow *self, const char *message)
{
  g_autofree char *text = g_strdup_printf (_("Cannot lay out “%s”: %s"),
                                           lamina_document_get_title (self->document), message);
  lamina_window_toast (self, text, 0);
}

/* ---- search -------------------------------------------------------------------------------- */

/* The box a match jumps to: a graph input's pill, else the node's box. */
static int
box_for_match (LaminaWindow *self, const LaminaSearchMatch *m)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  const LaminaLayout *layout = lamina_scene_get_layout (scene);

  if (m->tensor != NULL && m->tensor->producer == NULL)
    for (guint i = 0; i < layout->boxes->len; i++)
      {
        const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
        if (box->kind != LAMINA_BOX_NODE && box->tensor == m->tensor)
          return (int) i;
      }
  return lamina_graph_view_find_box (self->graph_view, m->node);
}

static GtkWidget *
result_row (const LaminaSearchMatch *m, int box)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;
  const char *title;

  if (m->kind == LAMINA_MATCH_TENSOR)
    {
      g_autofree char *shape = lamina_shape_to_string (&m->tensor->shape);
      title = m->tensor->name;
      subtitle = g_strdup_printf (_("tensor · %s ⟨%s⟩"), lamina_dtype_name (m->tensor->dtype), shape);
    }
  else
    {
      title = m->node->name[0] ? m->node->name : m->node->op_type;
      subtitle = g_strdup (m->node->op_type);
    }
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  g_object_set_data (G_OBJECT (row), "box", GINT_TO_POINTER (box));
  return row;
}

static void
run_search (LaminaWindow *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  g_autoptr(GArray) matches = NULL;
  g_autofree char *summary = NULL;
  GtkWidget *child;
  guint total = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_list))))
    gtk_list_box_remove (self->results_list, child);
  if (scene == NULL)
    return;
  matches = lamina_search_graph (lamina_scene_get_graph (scene), query, MAX_RESULTS, &total);
  for (guint i = 0; i < matches->len; i++)
    {
      const LaminaSearchMatch *m = &g_array_index (matches, LaminaSearchMatch, i);
      int box = box_for_match (self, m);
      if (box >= 0)
        gtk_list_box_append (self->results_list, result_row (m, box));
    }
  if (query[0] == '\0')
    summary = g_strdup (_("Type a node name, an operator or a tensor name"));
  else if (total > matches->len)
    summary = g_strdup_printf (_("First %u of %u matches"), matches->len, total);
  else
    summary = g_strdup_printf (ngettext ("%u match", "%u matches", total), total);
  gtk_label_set_text (self->results_label, summary);
}

static void
on_result_activated (GtkListBox *list, GtkListBoxRow *row, LaminaWindow *self)
{
  lamina_graph_view_select (self->graph_view, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "box")), TRUE);
}

/* Enter in the entry jumps to the first result. */
static void
on_search_activate (LaminaWindow *self)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->results_list, 0);

  if (row != NULL)
    on_result_activated (self->results_list, row, self);
}

static void
on_search_mode (LaminaWindow *self)
{
  if (gtk_search_bar_get_search_mode (self->search_bar))
    {
      run_search (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->graph_view));
}

/* ---- graphs and subgraphs ------------------------------------------------------------ */

static void
add_graph (LaminaWindow *self, GtkStringList *names, LaminaGraph *graph, const char *title)
{
  g_ptr_array_add (self->graphs, graph);
  gtk_string_list_append (names, title);
}

/* Bodies of If/Loop/Scan nodes, depth first, titled "node › attribute". */
static void
add_subgraphs (LaminaWindow *self, GtkStringList *names, LaminaGraph *graph)
{
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      const LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      const char *label = node->name[0] ? node->name : node->op_type;
      for (guint j = 0; j < node->attrs->len; j++)
        {
          const LaminaAttr *attr = g_ptr_array_index (node->attrs, j);
          guint n = attr->type == LAMINA_ATTR_GRAPH ? 1 : attr->type == LAMINA_ATTR_GRAPHS ? attr->n : 0;
          for (guint k = 0; k < n; k++)
            {
              LaminaGraph *sub = attr->type == LAMINA_ATTR_GRAPH ? attr->g : attr->graphs[k];
              g_autofree char *title = attr->type == LAMINA_ATTR_GRAPH
                ? g_strdup_printf ("%s › %s", label, attr->name)
                : g_strdup_printf ("%s › %s[%u]", label, attr->name, k);
              if (sub == NULL)
                continue;
              add_graph (self, names, sub, title);
              add_subgraphs (self, names, sub);
            }
        }
    }
}

/* The selector lists the main graph, further top-level graphs (TFLite
 * subgraphs) and the bodies of control-flow nodes; hidden when there is
 * only one. */
static void
fill_graph_selector (LaminaWindow *self)
{
  const LaminaModel *model = lamina_document_get_model (self->document);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  g_ptr_array_set_size (self->graphs, 0);
  for (guint i = 0; i < model->graphs->len; i++)
    {
      LaminaGraph *graph = g_ptr_array_index (model->graphs, i);
      g_autofree char *title = i == 0 ? g_strdup (_("Main graph"))
                               : graph->name && graph->name[0] ? g_strdup (graph->name)
                               : g_strdup_printf (_("Subgraph %u"), i);
      add_graph (self, names, graph, title);
      add_subgraphs (self, names, graph);
    }
  gtk_drop_down_set_model (self->graph_selector, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->graph_selector, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->graph_selector), self->graphs->len > 1);
}

static void
on_graph_selected (LaminaWindow *self)
{
  guint i = gtk_drop_down_get_selected (self->graph_selector);

  if (self->document != NULL && i < self->graphs->len)
    lamina_graph_view_show_graph (self->graph_view, self->document, g_ptr_array_index (self->graphs, i));
}

/* ---- opening ------------------------------------------------------------------------------ */

static void
set_document (LaminaWindow *self, LaminaDocument *document)
{
  const LaminaModel *model = lamina_document_get_model (document);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", lamina_format_name (model->format),
                                               lamina_kind_name (model->kind));

  g_set_object (&self->document, document);
  adw_window_title_set_title (self->window_title, lamina_document_get_title (document));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), lamina_document_get_title (document));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  lamina_node_panel_set_document (self->node_panel, document);
  set_session (self, document);
  lamina_window_image_set_document (self, document);
  lamina_window_compare_set_document (self, document);
  lamina_graph_view_set_document (self->graph_view, document);
  fill_graph_selector (self);
  update_quantize_actions (self);
  gtk_stack_set_visible_child_name (self->stack, "graph");
}

static void
on_document_loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaWindow) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaDocument) document = lamina_document_load_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->open_cancellable);
  if (document == NULL)
    {
      show_home_page (self);
      lamina_window_toast (self, error->message, 0);
      g_signal_emit (self, signals[OPEN_FAILED], 0, error->message);
      return;
    }
  remember_file (lamina_document_get_file (document));
  set_document (self, document);
  g_signal_emit (self, signals[OPENED], 0, document);
}

void
lamina_window_open (LaminaWindow *self, GFile *file)
{
  g_autofree char *base = NULL, *message = NULL;

  g_return_if_fail (LAMINA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->open_cancellable)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  self->open_cancellable = g_cancellable_new ();
  base = g_file_get_basename (file);
  message = g_strdup_printf (_("Opening “%s”…"), base);
  gtk_label_set_text (self->loading_label, message);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  lamina_document_load_async (file, self->open_cancellable, on_document_loaded, g_object_ref (self));
}

gboolean
lamina_window_is_empty (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  return self->document == NULL && self->open_cancellable == NULL;
}

gboolean
lamina_window_is_settled (LaminaWindow *self)
{
  gboolean loading, revealing;

  g_return_val_if_fail (LAMINA_IS_WINDOW (self), FALSE);
  g_object_get (self->graph_view, "loading", &loading, NULL);
  revealing = !gtk_revealer_get_child_revealed (self->results_revealer) !=
              !gtk_revealer_get_reveal_child (self->results_revealer);
  return self->open_cancellable == NULL && !loading && self->zoom_idle == 0 &&
         !gtk_stack_get_transition_running (self->stack) && !revealing &&
         !(self->session && lamina_sim_session_is_running (self->session)) && !self->debug_pending &&
         !lamina_tensor_view_is_busy (self->tensor_view) && !gtk_stack_get_transition_running (self->side_stack) &&
         !gtk_stack_get_transition_running (self->content_stack) && lamina_window_image_is_settled (self) &&
         lamina_window_compare_is_settled (self);
}

LaminaDocument *
lamina_window_get_document (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->document;
}

LaminaGraphView *
lamina_window_get_graph_view (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->graph_view;
}

LaminaNodePanel *
lamina_window_get_node_panel (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->node_panel;
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, LaminaWindow *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
      file = files ? files->data : NULL;
      g_slist_free (files);
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);
  if (file == NULL)
    return FALSE;
  if (self->document != NULL && lamina_window_image_is_file (file))
    {
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;
      if (path == NULL || !lamina_window_set_input_image (self, path, TRUE, &error))
        lamina_window_toast (self, error ? error->message : _("Images need a local file"), 0);
      return TRUE;
    }
  lamina_window_open (self, file);
  return TRUE;
}

/* ---- dialogs and export ------------------------------------------------------------------------ */

GtkFileFilter *
lamina_window_file_filter (const char *name, const char *const *patterns)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i]; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  return filter;
}

static void
on_open_response (GtkNativeDialog *dialog, int response, LaminaWindow *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->dialog);
  if (file != NULL)
    lamina_window_open (self, file);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
action_open (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  GtkFileChooserNative *chooser;
  const char *models[] = { "*.onnx", "*.tflite", "*.ONNX", "*.TFLITE", NULL };
  const char *all[] = { "*", NULL };

  if (self->dialog)
    return;
  chooser = gtk_file_chooser_native_new (_("Open a Model"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lamina_window_file_filter (_("Models (ONNX, TFLite)"), models));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lamina_window_file_filter (_("All Files"), all));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (self->dialog);
}
G_GNUC_END_IGNORE_DEPRECATIONS

typedef struct {
  LaminaScene *scene;
  char        *path;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->scene);
  g_free (job->path);
  g_free (job);
}

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;

  if (lamina_render_export (lamina_scene_get_layout (job->scene), job->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_exported (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaWindow) self = data;
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (job->path);
  g_autofree char *message = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    message = g_strdup_printf (_("Exported the graph to “%s”"), base);
  else
    message = g_strdup_printf (_("Cannot export to “%s”: %s"), base, error->message);
  lamina_window_toast (self, message, error ? 0 : 4);
}

/* Export runs in a worker thread; the job holds the scene, so the window can
 * open another model meanwhile. */
static void
export_to (LaminaWindow *self, const char *path)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  if (scene == NULL)
    return;
  job = g_new0 (ExportJob, 1);
  job->scene = g_object_ref (scene);
  job->path = g_strdup (path);
  task = g_task_new (NULL, NULL, on_exported, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

static void
action_export_to (GtkWidget *widget, const char *name, GVariant *param)
{
  export_to (LAMINA_WINDOW (widget), g_variant_get_string (param, NULL));
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
on_save_response (GtkNativeDialog *dialog, int response, LaminaWindow *self)
{
  LaminaWindowSaveFunc save = g_object_get_data (G_OBJECT (dialog), "lamina-save-func");
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->dialog);
  path = file ? g_file_get_path (file) : NULL;
  if (file != NULL && path == NULL)
    lamina_window_toast (self, _("Saving needs a local file"), 0);
  else if (path != NULL)
    save (self, path);
}

void
lamina_window_choose_save_path (LaminaWindow *self, const char *title, const char *accept,
                                const char *suggested, LaminaWindowSaveFunc save,
                                GtkFileFilter *first_filter, ...)
{
  GtkFileChooserNative *chooser;
  va_list args;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         accept, _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  va_start (args, first_filter);
  for (GtkFileFilter *f = first_filter; f != NULL; f = va_arg (args, GtkFileFilter *))
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), f);
  va_end (args);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "lamina-save-func", save);
  self->dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (self->dialog);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *svg[] = { "*.svg", NULL }, *png[] = { "*.png", NULL }, *pdf[] = { "*.pdf", NULL };
  g_autofree char *base = NULL, *stem = NULL, *suggested = NULL;

  if (self->dialog || self->document == NULL)
    return;
  base = g_strdup (lamina_document_get_title (self->document));
  stem = g_strndup (base, strrchr (base, '.') ? (gsize) (strrchr (base, '.') - base) : strlen (base));
  suggested = g_strconcat (stem, ".svg", NULL);
  lamina_window_choose_save_path (self, _("Export Graph"), _("_Export"), suggested, export_to,
                                  lamina_window_file_filter (_("SVG image"), svg),
                                  lamina_window_file_filter (_("PNG image"), png),
                                  lamina_window_file_filter (_("PDF document"), pdf), NULL);
}

/* ---- quantize ---------------------------------------------------------------------------------- */

/* Only float ONNX models can be quantized. */
static void
update_quantize_actions (LaminaWindow *self)
{
  const LaminaModel *model = self->document ? lamina_document_get_model (self->document) : NULL;
  gboolean can = model != NULL && model->format == LAMINA_FORMAT_ONNX && model->kind == LAMINA_KIND_FLOAT;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.quantize", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.quantize-to", can);
}

static void
action_quantize (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);

  if (self->document != NULL)
    gtk_window_present (GTK_WINDOW (lamina_quantize_dialog_new (self)));
}

/* (calibration folder, output path): the dialog's work without showing it. */
static void
action_quantize_to (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *folder, *output;
  LaminaQuantizeDialog *dialog;

  if (self->document == NULL)
    return;
  g_variant_get (param, "(&s&s)", &folder, &output);
  dialog = lamina_quantize_dialog_new (self);
  lamina_quantize_dialog_set_folder (dialog, folder);
  lamina_quantize_dialog_set_output (dialog, output);
  lamina_quantize_dialog_start (dialog);
}

/* ---- other actions --------------------------------------------------------------------------------- */

static void
action_search (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);

  if (lamina_graph_view_get_scene (self->graph_view) == NULL)
    return;
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  else if (gtk_widget_has_focus (GTK_WIDGET (self->search_entry)) ||
           gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (self)), GTK_WIDGET (self->search_entry)))
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
action_find (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);

  if (lamina_graph_view_get_scene (self->graph_view) == NULL)
    return;
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), g_variant_get_string (param, NULL));
  /* the entry reports changes after a delay: search now */
  run_search (self);
  on_search_activate (self);
}

static void
action_select_node (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  const char *wanted = g_variant_get_string (param, NULL);
  LaminaGraph *graph;

  if (scene == NULL)
    return;
  graph = lamina_scene_get_graph (scene);
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      if (g_str_equal (node->name, wanted))
        {
          lamina_graph_view_select_node (self->graph_view, node);
          return;
        }
    }
}

/* ---- simulator ------------------------------------------------------------------------------ */

/* TRUE when the canvas shows the graph the simulator runs. */
static gboolean
showing_sim_graph (LaminaWindow *self)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);

  return self->session != NULL && scene != NULL &&
         lamina_scene_get_graph (scene) == lamina_sim_session_get_graph (self->session);
}

static void
format_ms (char *buf, gsize size, double ms)
{
  if (ms < 0.01)
    g_snprintf (buf, size, "<0.01 ms");
  else
    g_snprintf (buf, size, ms < 10 ? "%.2f ms" : "%.1f ms", ms);
}

/* Executed boxes get a check and their time, the next one an outline,
 * nodes without a kernel a red outline and float-fallback nodes a note
 * (from the moment the model opens). */
static void
update_marks (LaminaWindow *self)
{
  const LaminaLayout *layout;
  const LaminaNode *next;

  if (!showing_sim_graph (self))
    return;
  layout = lamina_scene_get_layout (lamina_graph_view_get_scene (self->graph_view));
  next = lamina_sim_session_is_running (self->session) || lamina_sim_session_get_n_steps (self->session) == 0
         ? NULL : lamina_sim_session_get_next_node (self->session);
  g_array_set_size (self->marks, layout->boxes->len);
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      LaminaBoxMark *mark = &g_array_index (self->marks, LaminaBoxMark, i);
      double ms = box->node ? lamina_sim_session_get_node_ms (self->session, box->node) : -1;

      memset (mark, 0, sizeof *mark);
      if (box->node == NULL)
        continue;
      if (lamina_sim_session_is_unsupported (self->session, box->node))
        mark->flags |= LAMINA_BOX_MARK_UNSUPPORTED;
      if (ms >= 0)
        {
          mark->flags |= LAMINA_BOX_MARK_DONE;
          format_ms (mark->label, sizeof mark->label, ms);
        }
      /* quantized operators without an integer kernel run in float */
      if (lamina_kernel_node_needs_fallback (box->node))
        {
          g_autofree char *time = g_strdup (mark->label);
          g_snprintf (mark->label, sizeof mark->label, time[0] ? "%s · %s" : "%s%s",
                      time, _("float fallback"));
        }
      if (box->node == next)
        mark->flags |= LAMINA_BOX_MARK_NEXT;
    }
  lamina_graph_view_set_marks (self->graph_view, self->marks);
}

static double
total_ms (LaminaWindow *self)
{
  double sum = 0;

  for (guint i = 0; i < lamina_sim_session_get_n_steps (self->session); i++)
    sum += MAX (0, lamina_sim_session_get_node_ms (self->session, lamina_sim_session_get_step_node (self->session, i)));
  return sum;
}

static void
update_sim_label (LaminaWindow *self)
{
  guint pos, n;
  g_autofree char *text = NULL;

  if (self->session == NULL)
    return;
  pos = lamina_sim_session_get_position (self->session);
  n = lamina_sim_session_get_n_steps (self->session);
  if (lamina_sim_session_get_unsupported (self->session)->len > 0)
    text = g_strdup_printf (ngettext ("%u operator without kernel", "%u operators without kernel",
                                         lamina_sim_session_get_unsupported (self->session)->len),
                            lamina_sim_session_get_unsupported (self->session)->len);
  else if (lamina_sim_session_is_running (self->session))
    text = g_strdup_printf (_("Running %u / %u"), pos, n);
  else if (n > 0 && pos >= n)
    {
      char ms[32];
      format_ms (ms, sizeof ms, total_ms (self));
      text = g_strdup_printf (_("Done · %s"), ms);
    }
  else if (pos > 0)
    text = g_strdup_printf (_("Step %u / %u"), pos, n);
  else
    text = g_strdup (_("Not run"));
  gtk_label_set_text (self->sim_label, text);
}

/* The node "Run to selected" runs to: the selected box's, or the producer
 * of the selected edge's tensor. */
static const LaminaNode *
selected_node (LaminaWindow *self)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  int box = lamina_graph_view_get_selected (self->graph_view);
  int edge = lamina_graph_view_get_selected_edge (self->graph_view);
  const LaminaLayout *layout;

  if (!showing_sim_graph (self))
    return NULL;
  layout = lamina_scene_get_layout (scene);
  if (box >= 0)
    return g_array_index (layout->boxes, LaminaBox, box).node;
  if (edge >= 0)
    return g_array_index (layout->edges, LaminaEdge, edge).tensor->producer;
  return NULL;
}

static void
update_sim_actions (LaminaWindow *self)
{
  gboolean have = self->session != NULL;
  gboolean running = have && lamina_sim_session_is_running (self->session);
  gboolean can_run = have && !running && lamina_sim_session_get_unsupported (self->session)->len == 0;
  gboolean finished = have && lamina_sim_session_is_finished (self->session);
  const LaminaNode *target = selected_node (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-run", can_run && !finished);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-step", can_run && !finished);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-run-to", can_run);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-run-to-selected",
                                 can_run && target != NULL && lamina_sim_session_get_node_ms (self->session, target) < 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-reset",
                                 have && (running || lamina_sim_session_get_position (self->session) > 0));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-input", have && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sim-threads", have);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sim_settings), have && !running);
}

static void refresh_tensor_page (LaminaWindow *self);

static void
show_sim_state (LaminaWindow *self)
{
  g_clear_handle_id (&self->sim_redraw, g_source_remove);
  update_marks (self);
  update_sim_label (self);
  update_sim_actions (self);
  lamina_node_panel_refresh_sim (self->node_panel);
}

static gboolean
sim_redraw_due (gpointer data)
{
  LaminaWindow *self = data;

  self->sim_redraw = 0;
  show_sim_state (self);
  return G_SOURCE_REMOVE;
}

/* While running, the canvas is redrawn at most every SIM_REDRAW_MS: the
 * kernels already keep both cores busy, and re-recording the scene for
 * every batch of nodes would slow the main loop down. */
static void
on_sim_progress (LaminaWindow *self)
{
  if (self->session == NULL || !lamina_sim_session_is_running (self->session))
    show_sim_state (self);
  else if (self->sim_redraw == 0)
    self->sim_redraw = g_timeout_add (SIM_REDRAW_MS, sim_redraw_due, self);
}

static void
on_sim_stopped (LaminaWindow *self, const char *message)
{
  show_sim_state (self);
  lamina_window_image_sim_stopped (self);
  if (message != NULL)
    lamina_window_toast (self, message, 0);
  /* values can be read again */
  refresh_tensor_page (self);
  if (self->debug_pending)
    {
      self->debug_pending = FALSE;
      if (self->debug_tensor != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "win.select-tensor", "s", self->debug_tensor);
    }
}

/* ---- inputs popover ---- */

static const char *const source_names[] = { N_("Random"), N_("Zeros"), N_(".npy file"), NULL };
static const LaminaInputSource source_of_choice[] = { LAMINA_INPUT_RANDOM, LAMINA_INPUT_ZEROS, LAMINA_INPUT_NPY };

static void
apply_input_row (LaminaWindow *self, GtkWidget *row)
{
  const char *name = g_object_get_data (G_OBJECT (row), "input");
  GtkDropDown *choice = g_object_get_data (G_OBJECT (row), "choice");
  GtkEntry *shape = g_object_get_data (G_OBJECT (row), "shape");
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  guint i = MIN (gtk_drop_down_get_selected (choice), G_N_ELEMENTS (source_of_choice) - 1);
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (shape), source_of_choice[i] != LAMINA_INPUT_NPY);
  if (source_of_choice[i] == LAMINA_INPUT_NPY && path == NULL)
    return;   /* waits for a file */
  if (!lamina_sim_session_set_input (self->session, name, source_of_choice[i],
                                     gtk_editable_get_text (GTK_EDITABLE (shape)), path, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (shape), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (shape), error->message);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (shape), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (shape), NULL);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
on_npy_response (GtkNativeDialog *dialog, int response, GtkWidget *row)
{
  LaminaWindow *self = LAMINA_WINDOW (gtk_widget_get_root (row));
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->dialog);
  path = file ? g_file_get_path (file) : NULL;
  if (path == NULL)
    return;
  g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);
  gtk_button_set_label (g_object_get_data (G_OBJECT (row), "file-button"), g_path_get_basename (path));
  gtk_drop_down_set_selected (g_object_get_data (G_OBJECT (row), "choice"), 2);
  apply_input_row (self, row);
}

static void
on_choose_npy (GtkButton *button, GtkWidget *row)
{
  LaminaWindow *self = LAMINA_WINDOW (gtk_widget_get_root (row));
  GtkFileChooserNative *chooser;
  const char *npy[] = { "*.npy", NULL };

  if (self->dialog)
    return;
  gtk_menu_button_popdown (self->sim_menu_button);
  chooser = gtk_file_chooser_native_new (_("Choose an Input Tensor"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lamina_window_file_filter (_("NumPy arrays (.npy)"), npy));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_npy_response), row);
  gtk_native_dialog_show (self->dialog);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
on_input_changed (GtkWidget *widget, GParamSpec *pspec, GtkWidget *row)
{
  apply_input_row (LAMINA_WINDOW (gtk_widget_get_root (row)), row);
}

static void
on_shape_changed (GtkEditable *editable, GtkWidget *row)
{
  apply_input_row (LAMINA_WINDOW (gtk_widget_get_root (row)), row);
}

/* One input: name and type, source, shape, file. */
static GtkWidget *
input_row (LaminaWindow *self, const LaminaTensor *t)
{
  GtkWidget *row = gtk_grid_new ();
  g_autofree char *shape = NULL, *path = NULL, *declared = lamina_shape_to_string (&t->shape);
  g_autofree char *title = g_strdup_printf ("%s  %s ⟨%s⟩", t->name, lamina_dtype_name (t->dtype), declared);
  LaminaInputSource source = lamina_sim_session_get_input (self->session, t->name, &shape, &path);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *choice = gtk_drop_down_new_from_strings ((const char *const *) source_names);
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *file = gtk_button_new_with_label (_("Choose…"));

  /* the names were marked N_(): translate what the drop-down shows */
  gtk_string_list_splice (GTK_STRING_LIST (gtk_drop_down_get_model (GTK_DROP_DOWN (choice))), 0, 3,
                          (const char *const[]) { _(source_names[0]), _(source_names[1]), _(source_names[2]), NULL });
  gtk_grid_set_row_spacing (GTK_GRID (row), 4);
  gtk_grid_set_column_spacing (GTK_GRID (row), 6);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (label, "heading");
  gtk_grid_attach (GTK_GRID (row), label, 0, 0, 3, 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (choice), source == LAMINA_INPUT_ZEROS ? 1 : source == LAMINA_INPUT_NPY ? 2 : 0);
  gtk_grid_attach (GTK_GRID (row), choice, 0, 1, 1, 1);
  gtk_editable_set_text (GTK_EDITABLE (entry), shape ? shape : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "1x3x640x640");
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 14);
  gtk_widget_set_tooltip_text (entry, _("Shape of the zeros or random values"));
  gtk_grid_attach (GTK_GRID (row), entry, 1, 1, 1, 1);
  gtk_grid_attach (GTK_GRID (row), file, 2, 1, 1, 1);
  g_object_set_data_full (G_OBJECT (row), "input", g_strdup (t->name), g_free);
  g_object_set_data_full (G_OBJECT (row), "path", g_steal_pointer (&path), g_free);
  g_object_set_data (G_OBJECT (row), "choice", choice);
  g_object_set_data (G_OBJECT (row), "shape", entry);
  g_object_set_data (G_OBJECT (row), "file-button", file);
  g_signal_connect (choice, "notify::selected", G_CALLBACK (on_input_changed), row);
  g_signal_connect (entry, "changed", G_CALLBACK (on_shape_changed), row);
  g_signal_connect (file, "clicked", G_CALLBACK (on_choose_npy), row);
  return row;
}

static void
on_threads_changed (GtkSpinButton *spin, LaminaWindow *self)
{
  if (self->session != NULL)
    lamina_sim_session_set_threads (self->session, gtk_spin_button_get_value_as_int (spin));
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-4");
  return label;
}

void
lamina_window_fill_sim_settings (LaminaWindow *self)
{
  LaminaGraph *graph = lamina_sim_session_get_graph (self->session);
  GtkWidget *child, *threads, *box, *label;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sim_settings))))
    gtk_box_remove (self->sim_settings, child);
  gtk_box_append (self->sim_settings, heading (_("Inputs")));
  for (guint i = 0; i < graph->inputs->len; i++)
    gtk_box_append (self->sim_settings, input_row (self, g_ptr_array_index (graph->inputs, i)));
  gtk_box_append (self->sim_settings, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new (_("Threads (0: all cores)"));
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  threads = gtk_spin_button_new_with_range (0, 256, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (threads), lamina_sim_session_get_threads (self->session));
  g_signal_connect (threads, "value-changed", G_CALLBACK (on_threads_changed), self);
  self->threads_spin = GTK_SPIN_BUTTON (threads);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), threads);
  gtk_box_append (self->sim_settings, box);
}

static void
set_session (LaminaWindow *self, LaminaDocument *document)
{
  if (self->session != NULL)
    {
      lamina_sim_session_cancel (self->session);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  g_clear_object (&self->session);
  self->threads_spin = NULL;
  if (document != NULL)
    {
      self->session = lamina_sim_session_new (document);
      g_signal_connect_swapped (self->session, "progress", G_CALLBACK (on_sim_progress), self);
      g_signal_connect_swapped (self->session, "stopped", G_CALLBACK (on_sim_stopped), self);
      g_signal_connect_swapped (self->session, "notify::running", G_CALLBACK (show_sim_state), self);
      g_signal_connect_swapped (self->session, "notify::running", G_CALLBACK (lamina_window_image_sim_running), self);
      lamina_window_fill_sim_settings (self);
    }
  lamina_node_panel_set_session (self->node_panel, self->session);
  gtk_widget_set_visible (self->sim_box, self->session != NULL);
  update_sim_label (self);
  update_sim_actions (self);
}

/* Plans the graph when needed; errors become a toast. */
gboolean
lamina_window_prepare_sim (LaminaWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->session == NULL)
    return FALSE;
  if (lamina_sim_session_prepare (self->session, &error))
    return TRUE;
  lamina_window_toast (self, error->message, 0);
  return FALSE;
}

/* The next node the canvas shows as a box (folded Constant nodes have
 * none): a step the user can see. NULL when only box-less nodes remain. */
static const LaminaNode *
next_visible_node (LaminaWindow *self, guint from)
{
  const LaminaLayout *layout = showing_sim_graph (self)
                               ? lamina_scene_get_layout (lamina_graph_view_get_scene (self->graph_view)) : NULL;

  for (guint i = from; i < lamina_sim_session_get_n_steps (self->session); i++)
    {
      const LaminaNode *node = lamina_sim_session_get_step_node (self->session, i);
      if (layout == NULL || lamina_layout_box_for_node (layout, node) >= 0)
        return node;
    }
  return NULL;
}

static void
action_sim_step (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const LaminaNode *node;

  if (!lamina_window_prepare_sim (self))
    return;
  node = next_visible_node (self, lamina_sim_session_get_position (self->session));
  if (node != NULL)
    lamina_sim_session_run_to (self->session, node);
  else
    lamina_sim_session_run (self->session);
}

static void
action_sim_run (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);

  if (lamina_window_prepare_sim (self))
    lamina_sim_session_run (self->session);
}

static void
action_sim_run_to_selected (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const LaminaNode *node = selected_node (self);

  if (node != NULL && lamina_window_prepare_sim (self))
    lamina_sim_session_run_to (self->session, node);
}

/* win.sim-run-to(s): by node name (tests, scripts). */
static void
action_sim_run_to (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *wanted = g_variant_get_string (param, NULL);
  LaminaGraph *graph;

  if (self->session == NULL || !lamina_window_prepare_sim (self))
    return;
  graph = lamina_sim_session_get_graph (self->session);
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      const LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      if (g_str_equal (node->name, wanted))
        {
          lamina_sim_session_run_to (self->session, node);
          return;
        }
    }
}

static void
action_sim_reset (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);

  if (self->session != NULL)
    lamina_sim_session_reset (self->session);
}

static void
action_sim_cancel (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);

  if (self->session != NULL)
    lamina_sim_session_cancel (self->session);
}

static void
action_sim_threads (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);

  if (self->session == NULL)
    return;
  lamina_sim_session_set_threads (self->session, g_variant_get_int32 (param));
  if (self->threads_spin)
    gtk_spin_button_set_value (self->threads_spin, lamina_sim_session_get_threads (self->session));
}

/* win.sim-input((sss)): input name; "zeros", "random" or a .npy path; a
 * shape for zeros/random ("" keeps the current one). */
static void
action_sim_input (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const char *input, *spec, *shape;
  g_autoptr(GError) error = NULL;
  LaminaInputSource source = LAMINA_INPUT_NPY;

  if (self->session == NULL)
    return;
  g_variant_get (param, "(&s&s&s)", &input, &spec, &shape);
  if (g_str_equal (spec, "zeros"))
    source = LAMINA_INPUT_ZEROS;
  else if (g_str_equal (spec, "random"))
    source = LAMINA_INPUT_RANDOM;
  if (!lamina_sim_session_set_input (self->session, input, source, shape[0] ? shape : NULL,
                                     source == LAMINA_INPUT_NPY ? spec : NULL, &error))
    lamina_window_toast (self, error->message, 0);
  else
    lamina_window_fill_sim_settings (self);
}

/* ---- tensor page ---- */

static void
show_side_page (LaminaWindow *self, const char *name)
{
  gtk_stack_set_visible_child_name (self->side_stack, name);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-tensor", g_str_equal (name, "tensor"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-tensor-to", g_str_equal (name, "tensor"));
}

/* Why a tensor has no value to show. */
static char *
missing_value_text (LaminaWindow *self, const LaminaTensor *t)
{
  if (self->session != NULL && lamina_sim_session_is_running (self->session))
    return g_strdup (_("The simulator is running: the values appear when it stops."));
  if (self->session != NULL && lamina_sim_session_get_unsupported (self->session)->len > 0)
    return g_strdup (_("This model has operators Lamina cannot simulate yet (outlined in red)."));
  if (t->producer != NULL)
    return g_strdup_printf (_("Not computed yet: run the model up to %s “%s” (select it and press F8)."),
                            t->producer->op_type, t->producer->name);
  return g_strdup (_("Not computed yet: run or step the model."));
}

static void
open_tensor (LaminaWindow *self, const LaminaTensor *t)
{
  LaminaValue value = { 0 };
  gboolean nhwc = lamina_document_get_model (self->document)->format == LAMINA_FORMAT_TFLITE;
  g_autofree char *status = NULL;

  if (t == NULL)
    return;
  self->shown_tensor = t;
  /* compare mode: float and fixed values of the pair, overlaid */
  if (lamina_window_compare_show_tensor (self, t))
    {
      show_side_page (self, "tensor");
      return;
    }
  if (self->session == NULL || !lamina_sim_session_copy_value (self->session, t, &value))
    {
      /* weights of a subgraph or of a model the simulator cannot plan */
      if (t->data == NULL || !lamina_value_from_constant (&value, t, NULL))
        status = missing_value_text (self, t);
      else
        {
          LaminaValue borrowed = value;
          if (!lamina_value_copy (&value, &borrowed, NULL))
            status = g_strdup (_("Out of memory"));
          lamina_value_clear (&borrowed);
        }
    }
  lamina_tensor_view_show (self->tensor_view, t, value.data ? &value : NULL, nhwc, status);
  lamina_value_clear (&value);
  show_side_page (self, "tensor");
}

static void
refresh_tensor_page (LaminaWindow *self)
{
  if (self->shown_tensor != NULL && g_strcmp0 (gtk_stack_get_visible_child_name (self->side_stack), "tensor") == 0)
    open_tensor (self, self->shown_tensor);
}

void
lamina_window_refresh_tensor (LaminaWindow *self)
{
  refresh_tensor_page (self);
}

static void
close_tensor (LaminaWindow *self)
{
  self->shown_tensor = NULL;
  show_side_page (self, "node");
}

static void
on_tensor_activated (LaminaWindow *self, const LaminaTensor *t)
{
  open_tensor (self, t);
}

static void
on_edge_selected (LaminaWindow *self)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  int edge = lamina_graph_view_get_selected_edge (self->graph_view);

  update_sim_actions (self);
  if (scene == NULL || edge < 0)
    return;
  open_tensor (self, g_array_index (lamina_scene_get_layout (scene)->edges, LaminaEdge, edge).tensor);
}

static void
action_close_tensor (GtkWidget *widget, const char *name, GVariant *param)
{
  close_tensor (LAMINA_WINDOW (widget));
}

/* win.select-tensor(s): selects the edge carrying the tensor (centred) and
 * shows it; a tensor without an edge (a weight) is only shown. */
static void
action_select_tensor (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  const char *wanted = g_variant_get_string (param, NULL);
  const LaminaLayout *layout;
  const LaminaTensor *t;

  if (scene == NULL)
    return;
  t = lamina_graph_lookup_tensor (lamina_scene_get_graph (scene), wanted);
  if (t == NULL)
    return;
  layout = lamina_scene_get_layout (scene);
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      if (e->tensor == t && e->n_points > 0)
        {
          const double *p = e->points;
          lamina_graph_view_select_edge (self->graph_view, (int) i);
          lamina_viewport_center_on (lamina_graph_view_get_viewport (self->graph_view),
                                     (p[0] + p[2 * e->n_points - 2]) / 2, (p[1] + p[2 * e->n_points - 1]) / 2);
          return;
        }
    }
  open_tensor (self, t);
}

static void
on_saved (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LaminaWindow) self = data;
  g_autofree char *path = g_strdup (g_task_get_task_data (G_TASK (result)));
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL, *message = NULL;

  if (!lamina_tensor_view_save_finish (LAMINA_TENSOR_VIEW (source), result, &error))
    message = g_strdup (error->message);
  else
    {
      base = g_path_get_basename (path);
      message = g_strdup_printf (_("Saved “%s”"), base);
    }
  lamina_window_toast (self, message, error ? 0 : 3);
}

static void
save_tensor_to (LaminaWindow *self, const char *path)
{
  lamina_tensor_view_save_async (self->tensor_view, path, on_saved, g_object_ref (self));
}

static void
action_save_tensor_to (GtkWidget *widget, const char *name, GVariant *param)
{
  save_tensor_to (LAMINA_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
action_save_tensor (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  const LaminaTensor *t = lamina_tensor_view_get_tensor (self->tensor_view);
  const char *npy[] = { "*.npy", NULL };
  g_autofree char *suggested = NULL;

  if (self->dialog || t == NULL || !lamina_tensor_view_has_value (self->tensor_view))
    return;
  /* tensor names may hold '/' and ':' */
  suggested = g_strconcat (t->name, ".npy", NULL);
  g_strdelimit (suggested, "/\\:", '_');
  lamina_window_choose_save_path (self, _("Save Tensor"), _("_Save"), suggested, save_tensor_to,
                                  lamina_window_file_filter (_("NumPy arrays (.npy)"), npy), NULL);
}

void
lamina_window_run_steps (LaminaWindow *self, guint steps, const char *tensor)
{
  const LaminaNode *node = NULL;
  guint from = 0;

  g_return_if_fail (LAMINA_IS_WINDOW (self));
  g_free (self->debug_tensor);
  self->debug_tensor = g_strdup (tensor);
  if (!lamina_window_prepare_sim (self))
    return;
  /* the steps the Step button would take */
  for (guint i = 0; i < steps; i++)
    {
      node = next_visible_node (self, from);
      if (node == NULL)
        break;
      from = lamina_sim_session_get_n_steps (self->session);
      for (guint k = 0; k < lamina_sim_session_get_n_steps (self->session); k++)
        if (lamina_sim_session_get_step_node (self->session, k) == node)
          from = k + 1;
    }
  self->debug_pending = node != NULL ? lamina_sim_session_run_to (self->session, node)
                                     : lamina_sim_session_run (self->session);
  if (!self->debug_pending && tensor != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.select-tensor", "s", tensor);
}

LaminaSimSession *
lamina_window_get_sim_session (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->session;
}

LaminaTensorView *
lamina_window_get_tensor_view (LaminaWindow *self)
{
  g_return_val_if_fail (LAMINA_IS_WINDOW (self), NULL);
  return self->tensor_view;
}

/* ---- GObject ----------------------------------------------------------------------------------------- */

static gboolean
update_zoom_label (gpointer data)
{
  LaminaWindow *self = data;
  gboolean image = g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "image") == 0;
  gboolean compare = lamina_window_compare_is_shown (self);
  double zoom = lamina_viewport_get_zoom (image ? lamina_image_view_get_viewport (lamina_image_page_get_view (self->image_page))
                                          : compare ? lamina_image_view_get_viewport (lamina_compare_page_get_view (self->compare_page, FALSE))
                                          : lamina_graph_view_get_viewport (self->graph_view));
  g_autofree char *text = g_strdup_printf ("%.0f%%", zoom * 100);

  self->zoom_idle = 0;
  gtk_label_set_text (self->zoom_label, text);
  return G_SOURCE_REMOVE;
}

/* The zoom changes while the canvas is allocated (initial view, resizes);
 * relabelling then would queue a resize of the header bar mid-allocation. */
static void
on_zoom_changed (LaminaWindow *self)
{
  if (self->zoom_idle == 0)
    self->zoom_idle = g_idle_add (update_zoom_label, self);
}

static void
lamina_window_dispose (GObject *object)
{
  LaminaWindow *self = LAMINA_WINDOW (object);

  if (self->open_cancellable)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_handle_id (&self->progress_timeout, g_source_remove);
  g_clear_handle_id (&self->zoom_idle, g_source_remove);
  g_clear_handle_id (&self->sim_redraw, g_source_remove);
  if (self->dialog)
    gtk_native_dialog_destroy (self->dialog);
  g_clear_object (&self->dialog);
  g_clear_object (&self->document);
  if (self->session)
    {
      lamina_sim_session_cancel (self->session);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  g_clear_object (&self->session);
  g_clear_pointer (&self->marks, g_array_unref);
  g_clear_pointer (&self->debug_tensor, g_free);
  g_clear_pointer (&self->graphs, g_ptr_array_unref);
  lamina_window_compare_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LAMINA_TYPE_WINDOW);
  G_OBJECT_CLASS (lamina_window_parent_class)->dispose (object);
}

static void
lamina_window_class_init (LaminaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lamina_window_dispose;

  signals[OPENED] = g_signal_new ("opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LAMINA_TYPE_DOCUMENT);
  signals[OPEN_FAILED] = g_signal_new ("open-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /* the resources live in a static library: referencing them keeps the
   * linker from dropping the object that registers them */
  (void) lamina_get_resource ();
  /* GtkApplication adds this for its windows; tests create windows without one */
  if (gdk_display_get_default () != NULL)
    gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      "/io/github/lamina/Lamina/icons");
  g_type_ensure (LAMINA_TYPE_GRAPH_VIEW);
  g_type_ensure (LAMINA_TYPE_MINIMAP);
  g_type_ensure (LAMINA_TYPE_NODE_PANEL);
  g_type_ensure (LAMINA_TYPE_TENSOR_VIEW);
  g_type_ensure (LAMINA_TYPE_IMAGE_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/lamina/Lamina/lamina-window.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, LaminaWindow, name)
  CHILD (toast_overlay);
  CHILD (window_title);
  CHILD (stack);
  CHILD (recent_group);
  CHILD (recent_list);
  CHILD (samples_group);
  CHILD (samples_list);
  CHILD (graph_selector);
  CHILD (loading_spinner);
  CHILD (loading_label);
  CHILD (search_button);
  CHILD (zoom_box);
  CHILD (zoom_label);
  CHILD (search_bar);
  CHILD (search_entry);
  CHILD (results_revealer);
  CHILD (results_label);
  CHILD (results_list);
  CHILD (graph_view);
  CHILD (progress_bar);
  CHILD (legend);
  CHILD (minimap);
  CHILD (node_panel);
  CHILD (sim_box);
  CHILD (sim_menu_button);
  CHILD (sim_settings);
  CHILD (sim_label);
  CHILD (side_stack);
  CHILD (tensor_view);
  CHILD (content_stack);
  CHILD (page_switcher);
  CHILD (image_page);
  CHILD (compare_page);
#undef CHILD
  lamina_window_image_class_init (widget_class);
  lamina_window_compare_class_init (widget_class);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.export-to", "s", action_export_to);
  gtk_widget_class_install_action (widget_class, "win.quantize", NULL, action_quantize);
  gtk_widget_class_install_action (widget_class, "win.quantize-to", "(ss)", action_quantize_to);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, action_search);
  gtk_widget_class_install_action (widget_class, "win.find", "s", action_find);
  gtk_widget_class_install_action (widget_class, "win.select-node", "s", action_select_node);
  gtk_widget_class_install_action (widget_class, "win.sim-run", NULL, action_sim_run);
  gtk_widget_class_install_action (widget_class, "win.sim-step", NULL, action_sim_step);
  gtk_widget_class_install_action (widget_class, "win.sim-run-to-selected", NULL, action_sim_run_to_selected);
  gtk_widget_class_install_action (widget_class, "win.sim-run-to", "s", action_sim_run_to);
  gtk_widget_class_install_action (widget_class, "win.sim-reset", NULL, action_sim_reset);
  gtk_widget_class_install_action (widget_class, "win.sim-cancel", NULL, action_sim_cancel);
  gtk_widget_class_install_action (widget_class, "win.sim-threads", "i", action_sim_threads);
  gtk_widget_class_install_action (widget_class, "win.sim-input", "(sss)", action_sim_input);
  gtk_widget_class_install_action (widget_class, "win.select-tensor", "s", action_select_tensor);
  gtk_widget_class_install_action (widget_class, "win.close-tensor", NULL, action_close_tensor);
  gtk_widget_class_install_action (widget_class, "win.save-tensor", NULL, action_save_tensor);
  gtk_widget_class_install_action (widget_class, "win.save-tensor-to", "s", action_save_tensor_to);
}

static void
connect_signals (LaminaWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

  gtk_drop_target_set_gtypes (drop, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_swapped (self->stack, "notify::visible-child-name", G_CALLBACK (on_page_changed), self);
  g_signal_connect_swapped (self->content_stack, "notify::visible-child-name", G_CALLBACK (on_page_changed), self);
  g_signal_connect_swapped (self->graph_view, "notify::selected", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->graph_view, "notify::selected-edge", G_CALLBACK (on_edge_selected), self);
  g_signal_connect_swapped (self->node_panel, "tensor-activated", G_CALLBACK (on_tensor_activated), self);
  g_signal_connect_swapped (self->graph_view, "notify::scene", G_CALLBACK (on_scene_changed), self);
  g_signal_connect_swapped (self->graph_view, "notify::has-node-metric", G_CALLBACK (update_legend), self);
  g_signal_connect_swapped (self->graph_view, "notify::loading", G_CALLBACK (on_loading_changed), self);
  g_signal_connect_swapped (self->graph_view, "layout-failed", G_CALLBACK (on_layout_failed), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (run_search), self);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (on_search_activate), self);
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (on_search_mode), self);
  g_signal_connect (self->results_list, "row-activated", G_CALLBACK (on_result_activated), self);
  g_signal_connect_swapped (self->graph_selector, "notify::selected", G_CALLBACK (on_graph_selected), self);
  g_signal_connect_object (gtk_recent_manager_get_default (), "changed",
                           G_CALLBACK (refresh_recent), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->graph_view, "fraction", self->progress_bar, "fraction", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (lamina_graph_view_get_viewport (self->graph_view), "notify::zoom",
                           G_CALLBACK (on_zoom_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (lamina_image_view_get_viewport (lamina_image_page_get_view (self->image_page)), "notify::zoom",
                           G_CALLBACK (on_zoom_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (lamina_image_view_get_viewport (lamina_compare_page_get_view (self->compare_page, FALSE)),
                           "notify::zoom", G_CALLBACK (on_zoom_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->content_stack, "notify::visible-child-name", G_CALLBACK (on_zoom_changed), self);
}

static void
lamina_window_init (LaminaWindow *self)
{
  self->graphs = g_ptr_array_new ();
  self->marks = g_array_new (FALSE, TRUE, sizeof (LaminaBoxMark));
  gtk_widget_init_template (GTK_WIDGET (self));
  /* canvas.* accelerators are resolved from the window */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "canvas",
                                  lamina_graph_view_get_actions (self->graph_view));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  connect_signals (self);
  lamina_window_image_init (self);
  lamina_window_compare_init (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-to", FALSE);
  update_sim_actions (self);
  update_quantize_actions (self);
  show_side_page (self, "node");
  refresh_recent (self);
  fill_samples (self);
  on_page_changed (self);
  update_legend (self);
}

LaminaWindow *
lamina_window_new (GtkApplication *application)
{
  return g_object_new (LAMINA_TYPE_WINDOW, "application", application, NULL);
}
