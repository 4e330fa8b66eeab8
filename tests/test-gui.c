/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-gui: the window under a display (CI runs it under Xvfb).
 *   screenshot  the built `lamina --screenshot` on PP-OCRv4 det: a PNG of the
 *               window's size that shows a drawing (many colours);
 *   window      in process: a bad file is refused with a message, a model
 *               opens, search jumps to and selects a node (the panel
 *               follows), select-node selects by name, export-to writes an
 *               SVG that librsvg parses — all through the window's actions.
 * Without a display every test is skipped with a message.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <librsvg/rsvg.h>
#include "lamina-window.h"
#include "lamina-test-util.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display (run under xvfb-run)");
  return have_display;
}

/* ---- screenshot ------------------------------------------------------------ */

static guint
count_colours (cairo_surface_t *img)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  int w = cairo_image_surface_get_width (img), h = cairo_image_surface_get_height (img);
  int stride = cairo_image_surface_get_stride (img);
  const guint8 *data = cairo_image_surface_get_data (img);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px;
        memcpy (&px, data + (gsize) y * stride + 4 * x, 4);
        g_hash_table_add (seen, GUINT_TO_POINTER (px));
      }
  return g_hash_table_size (seen);
}

static void
test_screenshot (void)
{
  g_autofree char *model = NULL;
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "window.png", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *app = g_getenv ("LAMINA_APP");
  int status = -1;
  cairo_surface_t *img;

  if (!need_display ())
    return;
  model = lamina_test_shared_model ("ppocrv4-det.onnx");
  if (model == NULL)
    return;
  g_assert_nonnull (app);
  const char *argv[] = { app, "--screenshot", out, "--window-size=1280x800", "--timings", model, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("lamina stderr: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  /* --timings */
  g_assert_nonnull (strstr (err, "first frame"));

  img = cairo_image_surface_create_from_png (out);
  g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (img), ==, 1280);
  g_assert_cmpint (cairo_image_surface_get_height (img), ==, 800);
  /* a drawn graph has operator colours, anti-aliased text and edges */
  g_assert_cmpuint (count_colours (img), >, 200);
  cairo_surface_destroy (img);
}

static void
test_screenshot_needs_model (void)
{
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "none.png", NULL);
  g_autofree char *err = NULL;
  const char *app = g_getenv ("LAMINA_APP");
  int status = 0;

  if (!need_display ())
    return;
  const char *argv[] = { app, "--screenshot", out, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, &err, &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "--screenshot"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* ---- in-process window -------------------------------------------------------- */

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until cond(data) holds; fails after timeout_s. */
static void
spin_until (gboolean (*cond) (gpointer), gpointer data, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, wake_up, NULL);

  while (!cond (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

typedef struct {
  LaminaWindow *window;
  char         *failure;
  const char   *path;
} Fixture;

static gboolean
has_failed (gpointer data)
{
  return ((Fixture *) data)->failure != NULL;
}

static gboolean
is_drawn (gpointer data)
{
  LaminaWindow *window = ((Fixture *) data)->window;
  LaminaGraphView *view = lamina_window_get_graph_view (window);

  return lamina_window_get_document (window) != NULL && lamina_window_is_settled (window) &&
         lamina_graph_view_get_first_frame_time (view) > 0;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (((Fixture *) data)->path, G_FILE_TEST_EXISTS);
}

static void
on_open_failed (LaminaWindow *window, const char *message, Fixture *f)
{
  g_free (f->failure);
  f->failure = g_strdup (message);
}

static void
check_bad_file_refused (Fixture *f)
{
  g_autofree char *bad = g_build_filename (lamina_test_tmpdir (), "notes.onnx", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (bad);

  g_assert_true (g_file_set_contents (bad, "this is not a model\n", -1, NULL));
  lamina_window_open (f->window, file);
  spin_until (has_failed, f, 30);
  /* the message names the file */
  g_assert_nonnull (strstr (f->failure, "notes.onnx"));
  g_assert_null (lamina_window_get_document (f->window));
  g_assert_true (lamina_window_is_empty (f->window));
}

static void
check_search_and_select (Fixture *f)
{
  LaminaGraphView *view = lamina_window_get_graph_view (f->window);
  LaminaNodePanel *panel = lamina_window_get_node_panel (f->window);
  LaminaGraph *graph = lamina_document_get_model (lamina_window_get_document (f->window))->graph;
  LaminaNode *node = NULL;

  g_assert_cmpstr (lamina_node_panel_get_title (panel), ==, "Model");
  /* search by operator type: Enter jumps to the first match */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.find", "s", "MaxPool"));
  g_assert_cmpint (lamina_graph_view_get_selected (view), >=, 0);
  g_assert_cmpstr (lamina_node_panel_get_title (panel), ==, "MaxPool");

  /* select by name: the 20th operator that is drawn as a box */
  for (guint i = 20; i < graph->nodes->len && node == NULL; i++)
    {
      LaminaNode *n = g_ptr_array_index (graph->nodes, i);
      if (n->name[0] && lamina_layout_box_for_node (lamina_scene_get_layout (lamina_graph_view_get_scene (view)), n) >= 0)
        node = n;
    }
  g_assert_nonnull (node);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-node", "s", node->name));
  g_assert_cmpint (lamina_graph_view_get_selected (view), ==, lamina_graph_view_find_box (view, node));
  g_assert_cmpstr (lamina_node_panel_get_title (panel), ==, node->op_type);

  /* clearing the selection brings the model page back */
  lamina_graph_view_select (view, -1, FALSE);
  g_assert_cmpstr (lamina_node_panel_get_title (panel), ==, "Model");
}

static void
check_export (Fixture *f)
{
  g_autofree char *svg = g_build_filename (lamina_test_tmpdir (), "exported.svg", NULL);
  g_autoptr(GError) error = NULL;
  RsvgHandle *handle;
  double w = 0, h = 0;

  f->path = svg;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export-to", "s", svg));
  /* written to a temporary file and renamed: it exists only when complete */
  spin_until (file_exists, f, 60);
  handle = rsvg_handle_new_from_file (svg, &error);
  g_assert_no_error (error);
  g_assert_true (rsvg_handle_get_intrinsic_size_in_pixels (handle, &w, &h));
  g_assert_cmpfloat (w, >, 100);
  g_assert_cmpfloat (h, >, 100);
  g_object_unref (handle);
  f->path = NULL;
}

static void
test_window (void)
{
  g_autofree char *model = NULL;
  g_autoptr(GFile) file = NULL;
  Fixture f = { 0 };

  if (!need_display ())
    return;
  model = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  if (model == NULL)
    return;
  f.window = lamina_window_new (NULL);
  g_signal_connect (f.window, "open-failed", G_CALLBACK (on_open_failed), &f);
  gtk_window_set_default_size (GTK_WINDOW (f.window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f.window));

  check_bad_file_refused (&f);

  file = g_file_new_for_path (model);
  lamina_window_open (f.window, file);
  spin_until (is_drawn, &f, 60);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f.window)), ==, "yolo-fastestv2-coco-352.onnx");

  check_search_and_select (&f);
  check_export (&f);

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_free (f.failure);
}

/* GtkApplication loads the shortcuts window by itself, and only warns when
 * it is broken. */
static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new ();
  g_autoptr(GError) error = NULL;
  GObject *overlay;

  if (!need_display ())
    return;
  /* the resources are registered once a window type exists */
  g_type_ensure (LAMINA_TYPE_WINDOW);
  g_type_class_unref (g_type_class_ref (LAMINA_TYPE_WINDOW));
  gtk_builder_add_from_resource (builder, "/io/github/lamina/Lamina/gtk/help-overlay.ui", &error);
  g_assert_no_error (error);
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int argc, char *argv[])
{
  g_autofree char *data_home = NULL;

  g_test_init (&argc, &argv, NULL);
  /* the window records opened files as recent: keep that out of $HOME */
  data_home = g_build_filename (lamina_test_tmpdir (), "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();
  g_test_add_func ("/lamina/gui/screenshot", test_screenshot);
  g_test_add_func ("/lamina/gui/screenshot-needs-model", test_screenshot_needs_model);
  g_test_add_func ("/lamina/gui/window", test_window);
  g_test_add_func ("/lamina/gui/help-overlay", test_help_overlay);
  return g_test_run ();
}
