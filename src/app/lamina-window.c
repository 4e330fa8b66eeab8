/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-window"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-window.h"
#include "lamina-minimap.h"
#include "lamina-resources.h"
#include "lamina-search.h"
#include "graph/lamina-op-info.h"
#include "render/lamina-render.h"

#define MAX_RESULTS 200
#define MAX_RECENT 8
#define RECENT_GROUP "lamina-model"
/* a layout faster than this never shows the progress bar */
#define PROGRESS_DELAY_MS 250

struct _LaminaWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkStack            *stack;
  AdwPreferencesGroup *recent_group;
  GtkListBox          *recent_list;
  AdwPreferencesGroup *samples_group;
  GtkListBox          *samples_list;
  GtkDropDown         *graph_selector;
  GtkSpinner          *loading_spinner;
  GtkLabel            *loading_label;
  GtkToggleButton     *search_button;
  GtkWidget           *zoom_box;
  GtkLabel            *zoom_label;
  GtkSearchBar        *search_bar;
  GtkSearchEntry      *search_entry;
  GtkRevealer         *results_revealer;
  GtkLabel            *results_label;
  GtkListBox          *results_list;
  LaminaGraphView     *graph_view;
  GtkProgressBar      *progress_bar;
  GtkLabel            *legend;
  LaminaMinimap       *minimap;
  LaminaNodePanel     *node_panel;

  LaminaDocument      *document;
  GCancellable        *open_cancellable;
  GtkNativeDialog     *dialog;
  guint                progress_timeout;
  guint                zoom_idle;
  GPtrArray           *graphs;  /* LaminaGraph* of the document, parallel to graph_selector */
};

G_DEFINE_FINAL_TYPE (LaminaWindow, lamina_window, ADW_TYPE_APPLICATION_WINDOW)

enum { OPENED, OPEN_FAILED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_toast (LaminaWindow *self, const char *message, guint timeout)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  /* a job may finish after the window was closed */
  if (self->toast_overlay == NULL)
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
  gboolean graph = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "graph") == 0;

  gtk_widget_set_visible (self->zoom_box, graph);
  gtk_widget_set_visible (GTK_WIDGET (self->search_button), graph);
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
static void
update_legend (LaminaWindow *self)
{
  LaminaScene *scene = lamina_graph_view_get_scene (self->graph_view);
  gboolean present[LAMINA_N_OP_CATEGORIES] = { FALSE };
  g_autoptr(GString) markup = g_string_new (NULL);
  const LaminaLayout *layout;

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
      double r, g, b;
      g_autofree char *name = NULL;
      if (!present[c])
        continue;
      lamina_op_category_color (c, &r, &g, &b);
      name = g_markup_escape_text (lamina_op_category_name (c), -1);
      g_string_append_printf (markup, "%s<span foreground=\"#%02x%02x%02x\">■</span> %s",
                              markup->len ? "\n" : "", (int) (r * 255 + .5), (int) (g * 255 + .5),
                              (int) (b * 255 + .5), name);
    }
  gtk_label_set_markup (self->legend, markup->str);
  gtk_widget_set_visible (GTK_WIDGET (self->legend), markup->len > 0);
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
}

static void
on_scene_changed (LaminaWindow *self)
{
  gboolean ready = lamina_graph_view_get_scene (self->graph_view) != NULL;

  update_legend (self);
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
  show_toast (self, text, 0);
}

/* ---- search -------------------------------------------------------------------------------- */

/* The box a match jumps to: a graph input's pill, else the node's box. */
static int
box_for_match (LaminaWindow *self, const LaminaMatch *m)
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
result_row (const LaminaMatch *m, int box)
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
      const LaminaMatch *m = &g_array_index (matches, LaminaMatch, i);
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
  lamina_graph_view_set_document (self->graph_view, document);
  fill_graph_selector (self);
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
      show_toast (self, error->message, 0);
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
         !gtk_stack_get_transition_running (self->stack) && !revealing;
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
  lamina_window_open (self, file);
  return TRUE;
}

/* ---- dialogs and export ------------------------------------------------------------------------ */

static GtkFileFilter *
filter_new (const char *name, const char *const *patterns)
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
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter_new (_("Models (ONNX, TFLite)"), models));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter_new (_("All Files"), all));
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
  show_toast (self, message, error ? 0 : 4);
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
on_export_response (GtkNativeDialog *dialog, int response, LaminaWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->dialog);
  if (file == NULL)
    return;
  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_toast (self, _("Export needs a local file"), 0);
      return;
    }
  export_to (self, path);
}

static void
action_export (GtkWidget *widget, const char *name, GVariant *param)
{
  LaminaWindow *self = LAMINA_WINDOW (widget);
  GtkFileChooserNative *chooser;
  const char *svg[] = { "*.svg", NULL }, *png[] = { "*.png", NULL }, *pdf[] = { "*.pdf", NULL };
  g_autofree char *base = NULL, *stem = NULL, *suggested = NULL;

  if (self->dialog || self->document == NULL)
    return;
  base = g_strdup (lamina_document_get_title (self->document));
  stem = g_strndup (base, strrchr (base, '.') ? (gsize) (strrchr (base, '.') - base) : strlen (base));
  suggested = g_strconcat (stem, ".svg", NULL);
  chooser = gtk_file_chooser_native_new (_("Export Graph"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter_new (_("SVG image"), svg));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter_new (_("PNG image"), png));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter_new (_("PDF document"), pdf));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->dialog = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (self->dialog);
}
G_GNUC_END_IGNORE_DEPRECATIONS

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

/* ---- GObject ----------------------------------------------------------------------------------------- */

static gboolean
update_zoom_label (gpointer data)
{
  LaminaWindow *self = data;
  double zoom = lamina_viewport_get_zoom (lamina_graph_view_get_viewport (self->graph_view));
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
  if (self->dialog)
    gtk_native_dialog_destroy (self->dialog);
  g_clear_object (&self->dialog);
  g_clear_object (&self->document);
  g_clear_pointer (&self->graphs, g_ptr_array_unref);
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
#undef CHILD

  gtk_widget_class_install_action (widget_class, "win.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.export-to", "s", action_export_to);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, action_search);
  gtk_widget_class_install_action (widget_class, "win.find", "s", action_find);
  gtk_widget_class_install_action (widget_class, "win.select-node", "s", action_select_node);
}

static void
connect_signals (LaminaWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);

  gtk_drop_target_set_gtypes (drop, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_swapped (self->stack, "notify::visible-child-name", G_CALLBACK (on_page_changed), self);
  g_signal_connect_swapped (self->graph_view, "notify::selected", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->graph_view, "notify::scene", G_CALLBACK (on_scene_changed), self);
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
}

static void
lamina_window_init (LaminaWindow *self)
{
  self->graphs = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* canvas.* accelerators are resolved from the window */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "canvas",
                                  lamina_graph_view_get_actions (self->graph_view));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  connect_signals (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-to", FALSE);
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
