/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-gui: the window under a display (CI runs it under Xvfb).
 *   screenshot  the built `lamina --screenshot` on PP-OCRv4 det: a PNG of the
 *               window's size that shows a drawing (many colours);
 *   window      in process: a bad file is refused with a message, a model
 *               opens, search jumps to and selects a node (the panel
 *               follows), select-node selects by name, export-to writes an
 *               SVG that librsvg parses — all through the window's actions.
 *   sim-*       the simulator through the window's actions, on tests/data
 *               sim-tiny.onnx and Yolo-FastestV2: Step moves the next node,
 *               Run executes every node, Reset and Cancel, inputs from zeros
 *               and .npy, the tensor view's statistics for a selected edge,
 *               Save as .npy read back with lamina-npy; PP-OCRv4 det at
 *               640×640 runs without stalling the main loop.
 *   image-*     the Image page: bus.jpg through win.sim-image on
 *               Yolo-FastestV2 gives the detections `lamina-cli detect
 *               --json` gives (classes, boxes within 1 px); the score
 *               threshold action keeps exactly the better ones; the list
 *               and the boxes select each other; export-image-to writes a
 *               PNG of the image's size; after steps, the current layer can
 *               be laid over the image.
 *   quantize-*  win.quantize-to on Yolo-FastestV2 with two shared images
 *               writes the fixed model and opens it in a new window.
 * Without a display every test is skipped with a message.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <librsvg/rsvg.h>
#include "lamina-window.h"
#include "lamina-test-util.h"
#include "lamina-test-gui.h"
#include "sim/lamina-npy.h"


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

  if (!lamina_test_need_display ())
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

  if (!lamina_test_need_display ())
    return;
  const char *argv[] = { app, "--screenshot", out, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, &err, &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "--screenshot"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* ---- in-process window -------------------------------------------------------- */



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
  lamina_test_spin_until (has_failed, f, 30);
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
  lamina_test_spin_until (file_exists, f, 60);
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

  if (!lamina_test_need_display ())
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
  lamina_test_spin_until (is_drawn, &f, 60);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f.window)), ==, "yolo-fastestv2-coco-352.onnx");

  check_search_and_select (&f);
  check_export (&f);

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_free (f.failure);
}

/* ---- simulator in the window ----------------------------------------------------- */

static gboolean
sim_idle (gpointer data)
{
  LaminaWindow *window = ((Fixture *) data)->window;

  return !lamina_sim_session_is_running (lamina_window_get_sim_session (window));
}

static gboolean
tensor_ready (gpointer data)
{
  return !lamina_tensor_view_is_busy (lamina_window_get_tensor_view (((Fixture *) data)->window));
}

static void
open_and_draw (Fixture *f, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  lamina_window_open (f->window, file);
  lamina_test_spin_until (is_drawn, f, 120);
}

/* Activates a window action that must be enabled, and waits for the
 * simulator to stop. */
static void
sim_command (Fixture *f, const char *action, GVariant *param)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->window), action, param));
  lamina_test_spin_until (sim_idle, f, 120);
}

/* Step moves the next node on, Run executes every node, Reset forgets. */
static void
check_step_run_reset (Fixture *f)
{
  LaminaSimSession *s = lamina_window_get_sim_session (f->window);
  const LaminaNode *first_next, *second_next;
  guint first_pos, n;

  g_assert_nonnull (s);
  g_assert_cmpuint (lamina_sim_session_get_unsupported (s)->len, ==, 0);
  sim_command (f, "win.sim-step", NULL);
  first_pos = lamina_sim_session_get_position (s);
  g_assert_cmpuint (first_pos, >, 0);
  g_assert_cmpfloat (lamina_sim_session_get_node_ms (s, lamina_sim_session_get_step_node (s, first_pos - 1)), >=, 0);
  first_next = lamina_sim_session_get_next_node (s);
  g_assert_nonnull (first_next);
  g_assert_cmpfloat (lamina_sim_session_get_node_ms (s, first_next), <, 0);

  sim_command (f, "win.sim-step", NULL);
  g_assert_cmpuint (lamina_sim_session_get_position (s), >, first_pos);
  second_next = lamina_sim_session_get_next_node (s);
  g_assert_true (second_next != first_next);
  g_assert_cmpfloat (lamina_sim_session_get_node_ms (s, first_next), >=, 0);

  sim_command (f, "win.sim-run", NULL);
  n = lamina_sim_session_get_n_steps (s);
  g_assert_true (lamina_sim_session_is_finished (s));
  g_assert_cmpuint (lamina_sim_session_get_position (s), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (lamina_sim_session_get_node_ms (s, lamina_sim_session_get_step_node (s, i)), >=, 0);
  /* nothing left to run: Step does nothing */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sim-step", NULL);
  g_assert_false (lamina_sim_session_is_running (s));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sim-reset", NULL));
  g_assert_cmpuint (lamina_sim_session_get_position (s), ==, 0);
  g_assert_cmpfloat (lamina_sim_session_get_node_ms (s, lamina_sim_session_get_step_node (s, 0)), <, 0);
}

/* Cancel right after Run: the run stops before the end. */
static void
check_cancel (Fixture *f)
{
  LaminaSimSession *s = lamina_window_get_sim_session (f->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sim-threads", "i", 1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sim-run", NULL));
  g_assert_true (lamina_sim_session_is_running (s));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sim-cancel", NULL));
  lamina_test_spin_until (sim_idle, f, 60);
  g_assert_false (lamina_sim_session_is_finished (s));
  g_assert_cmpuint (lamina_sim_session_get_position (s), <, lamina_sim_session_get_n_steps (s));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sim-reset", NULL);
}

/* Selects the tensor's edge and checks the tensor view against the
 * simulator's value; returns a copy of it. */
static void
check_tensor_view (Fixture *f, const char *name, LaminaValue *value)
{
  LaminaTensorView *view = lamina_window_get_tensor_view (f->window);
  LaminaSimSession *s = lamina_window_get_sim_session (f->window);
  LaminaGraph *graph = lamina_sim_session_get_graph (s);
  const LaminaTensor *t = lamina_graph_lookup_tensor (graph, name);
  const LaminaTensorStats *shown;
  LaminaTensorStats expected;

  g_assert_nonnull (t);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-tensor", "s", name));
  g_assert_cmpint (lamina_graph_view_get_selected_edge (lamina_window_get_graph_view (f->window)), >=, 0);
  g_assert_true (lamina_tensor_view_get_tensor (view) == t);
  lamina_test_spin_until (tensor_ready, f, 60);
  shown = lamina_tensor_view_get_stats (view);
  g_assert_nonnull (shown);
  g_assert_true (lamina_sim_session_copy_value (s, t, value));
  g_assert_true (lamina_value_stats (value, &expected, NULL));
  g_assert_cmpint (shown->count, ==, value->numel);
  g_assert_cmpfloat (shown->min, ==, expected.min);
  g_assert_cmpfloat (shown->max, ==, expected.max);
  g_assert_cmpfloat (shown->mean, ==, expected.mean);
  g_assert_cmpint (shown->n_nan + shown->n_inf, ==, 0);
  if (value->rank == 4)
    g_assert_cmpuint (lamina_tensor_view_get_n_channels (view), ==, value->dims[1]);
}

static gboolean
npy_readable (gpointer data)
{
  LaminaValue v = { 0 };
  gboolean ok = lamina_npy_read (((Fixture *) data)->path, &v, NULL);

  lamina_value_clear (&v);
  return ok;
}

/* Save as .npy through the action; lamina-npy reads the same values back. */
static void
check_save_npy (Fixture *f, const LaminaValue *value)
{
  g_autofree char *path = g_build_filename (lamina_test_tmpdir (), "saved-tensor.npy", NULL);
  g_autoptr(GError) error = NULL;
  LaminaValue back = { 0 };

  g_unlink (path);
  f->path = path;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.save-tensor-to", "s", path));
  /* g_file_replace writes a new file in place: wait until it is whole */
  lamina_test_spin_until (npy_readable, f, 60);
  f->path = NULL;
  g_assert_true (lamina_npy_read (path, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.dtype, ==, value->dtype);
  g_assert_cmpint (back.rank, ==, value->rank);
  for (int i = 0; i < value->rank; i++)
    g_assert_cmpint (back.dims[i], ==, value->dims[i]);
  g_assert_cmpmem (back.data, back.numel * lamina_dtype_size (back.dtype),
                   value->data, value->numel * lamina_dtype_size (value->dtype));
  lamina_value_clear (&back);
}

static void
sim_fixture (Fixture *f)
{
  f->window = lamina_window_new (NULL);
  g_signal_connect (f->window, "open-failed", G_CALLBACK (on_open_failed), f);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1400, 900);
  gtk_window_present (GTK_WINDOW (f->window));
}

/* tests/data/sim-tiny.onnx: x → Relu → Mul(B) → y, x → Neg → z. */
static void
test_sim_tiny (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "sim-tiny.onnx", NULL);
  g_autofree char *npy = g_build_filename (lamina_test_tmpdir (), "x-input.npy", NULL);
  const float x[8] = { -1, 2, -3, 4, 5, -6, 7, -8 };
  LaminaValue in = { 0 }, value = { 0 };
  Fixture f = { 0 };

  if (!lamina_test_need_display ())
    return;
  sim_fixture (&f);
  open_and_draw (&f, model);
  check_step_run_reset (&f);

  /* zeros of a chosen shape: y = Relu(0) * B is all zeros */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.sim-input", "(sss)", "x", "zeros", "3x4"));
  sim_command (&f, "win.sim-run", NULL);
  check_tensor_view (&f, "y", &value);
  g_assert_cmpint (value.dims[0], ==, 3);
  g_assert_cmpfloat (lamina_tensor_view_get_stats (lamina_window_get_tensor_view (f.window))->max, ==, 0);
  lamina_value_clear (&value);

  /* a .npy input reaches the graph unchanged */
  g_assert_true (lamina_value_set_shape (&in, LAMINA_DTYPE_FLOAT32, 2, (gint64[]) { 2, 4 }, NULL));
  g_assert_true (lamina_value_alloc (&in, NULL));
  memcpy (in.data, x, sizeof x);
  g_assert_true (lamina_npy_write (npy, &in, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.sim-input", "(sss)", "x", npy, ""));
  sim_command (&f, "win.sim-run", NULL);
  check_tensor_view (&f, "x", &value);
  g_assert_cmpmem (value.data, sizeof x, x, sizeof x);
  lamina_value_clear (&value);
  check_tensor_view (&f, "y", &value);
  check_save_npy (&f, &value);
  lamina_value_clear (&value);
  lamina_value_clear (&in);

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_free (f.failure);
}

/* A node without a kernel is known as soon as the model opens; nothing runs. */
static void
test_sim_unsupported (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "sim-unsupported.onnx", NULL);
  Fixture f = { 0 };
  LaminaSimSession *s;

  if (!lamina_test_need_display ())
    return;
  sim_fixture (&f);
  open_and_draw (&f, model);
  s = lamina_window_get_sim_session (f.window);
  g_assert_cmpuint (lamina_sim_session_get_unsupported (s)->len, ==, 1);
  g_assert_cmpstr (((LaminaNode *) g_ptr_array_index (lamina_sim_session_get_unsupported (s), 0))->op_type, ==, "FooBar");
  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.sim-run", NULL);
  g_assert_false (lamina_sim_session_is_running (s));
  g_assert_cmpuint (lamina_sim_session_get_position (s), ==, 0);
  gtk_window_destroy (GTK_WINDOW (f.window));
  g_free (f.failure);
}

/* The output tensor of the first Conv (4-D: the feature map is checked). */
static const char *
first_conv_output (LaminaWindow *window)
{
  LaminaScene *scene = lamina_graph_view_get_scene (lamina_window_get_graph_view (window));
  LaminaGraph *graph = lamina_scene_get_graph (scene);

  for (guint i = 0; i < graph->nodes->len; i++)
    {
      const LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      if (g_str_equal (node->op_type, "Conv") && node->outputs->len > 0)
        return ((LaminaTensor *) g_ptr_array_index (node->outputs, 0))->name;
    }
  return NULL;
}

static void
test_sim_yolo (void)
{
  g_autofree char *model = NULL;
  LaminaValue value = { 0 };
  const char *conv;
  Fixture f = { 0 };

  if (!lamina_test_need_display ())
    return;
  model = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  if (model == NULL)
    return;
  sim_fixture (&f);
  open_and_draw (&f, model);
  check_step_run_reset (&f);
  check_cancel (&f);

  /* before running, an activation has no value: the page says why */
  conv = first_conv_output (f.window);
  g_assert_nonnull (conv);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.select-tensor", "s", conv));
  g_assert_false (lamina_tensor_view_has_value (lamina_window_get_tensor_view (f.window)));

  sim_command (&f, "win.sim-run", NULL);
  check_tensor_view (&f, conv, &value);
  g_assert_cmpint (value.rank, ==, 4);
  check_save_npy (&f, &value);
  lamina_value_clear (&value);

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_free (f.failure);
}

/* The run happens in a worker: the main loop keeps turning while PP-OCRv4
 * det runs at 640×640 (the longest gap between two 10 ms ticks is small),
 * and the canvas marks every node as it completes. */
typedef struct {
  gint64 last, longest;
} Ticks;

static gboolean
on_tick (gpointer data)
{
  Ticks *t = data;
  gint64 now = g_get_monotonic_time ();

  if (t->last)
    t->longest = MAX (t->longest, now - t->last);
  t->last = now;
  return G_SOURCE_CONTINUE;
}

static void
test_sim_responsive (void)
{
  g_autofree char *model = NULL;
  Fixture f = { 0 };
  Ticks ticks = { 0 };
  LaminaSimSession *s;
  guint tick;
  gint64 start, run;

  if (!lamina_test_need_display ())
    return;
  model = lamina_test_shared_model ("ppocrv4-det.onnx");
  if (model == NULL)
    return;
  sim_fixture (&f);
  open_and_draw (&f, model);
  s = lamina_window_get_sim_session (f.window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.sim-input", "(sss)",
                                             "x", "random", "1x3x640x640"));
  /* one kernel thread: the other core is the UI's, so a stall would be ours */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.sim-threads", "i", 1));
  tick = g_timeout_add (10, on_tick, &ticks);
  start = g_get_monotonic_time ();
  sim_command (&f, "win.sim-run", NULL);
  g_source_remove (tick);
  run = g_get_monotonic_time () - start;
  g_test_message ("run %.0f ms, longest main-loop gap %.0f ms", run / 1000.0, ticks.longest / 1000.0);
  g_assert_true (lamina_sim_session_is_finished (s));
  /* A blocked loop would miss (nearly) the whole run. Only that is checked:
   * on a loaded machine (other tests running beside this one) a 300 ms gap
   * happens without any fault of ours, and tests do not fail on timing. The
   * figure above is the measurement. */
  g_assert_cmpint (ticks.longest, <, MAX (300 * 1000, run * 3 / 4));

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_free (f.failure);
}

/* ---- image page ---------------------------------------------------------------- */

static gboolean
has_detections (gpointer data)
{
  LaminaWindow *window = ((Fixture *) data)->window;

  return lamina_window_is_settled (window) &&
         lamina_image_page_get_detections (lamina_window_get_image_page (window)) != NULL;
}

/* `lamina-cli detect --json` of the same model and image. */
static JsonArray *
cli_detections (const char *model, const char *image, JsonNode **root)
{
  LaminaTestRun r = lamina_test_run_cli ("detect", model, image, "--json", NULL);
  g_autoptr(GError) error = NULL;

  if (r.status != 0)
    g_error ("lamina-cli detect failed: %s", r.err);
  *root = json_from_string (r.out, &error);
  g_assert_no_error (error);
  lamina_test_run_clear (&r);
  return json_object_get_array_member (json_node_get_object (*root), "detections");
}

static void
check_same_as_cli (const LaminaDetections *dets, JsonArray *expected)
{
  g_assert_cmpuint (dets->len, ==, json_array_get_length (expected));
  for (guint i = 0; i < dets->len; i++)
    {
      JsonObject *o = json_array_get_object_element (expected, i);
      JsonArray *box = json_object_get_array_member (o, "box");
      const LaminaDetection *d = &dets->items[i];
      const float got[4] = { d->x0, d->y0, d->x1, d->y1 };

      g_assert_cmpint (d->class_id, ==, json_object_get_int_member (o, "class_id"));
      g_assert_cmpfloat_with_epsilon (d->score, json_object_get_double_member (o, "score"), 1e-4);
      for (guint k = 0; k < 4; k++)
        g_assert_cmpfloat_with_epsilon (got[k], json_array_get_double_element (box, k), 1.0);
    }
}

/* Raising the score threshold keeps exactly the detections above it (NMS
 * only ever suppresses a box for a better one). */
static void
check_score_threshold (Fixture *f, JsonArray *expected)
{
  LaminaImagePage *page = lamina_window_get_image_page (f->window);
  guint n = json_array_get_length (expected), above = 0;
  /* just above the weakest detection */
  double threshold = json_object_get_double_member (json_array_get_object_element (expected, n - 1), "score") + 1e-3;

  for (guint i = 0; i < json_array_get_length (expected); i++)
    if (json_object_get_double_member (json_array_get_object_element (expected, i), "score") > threshold)
      above++;
  g_assert_cmpuint (above, <, json_array_get_length (expected));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set-score-threshold", "d", threshold));
  g_assert_cmpuint (lamina_image_page_get_detections (page)->len, ==, above);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.set-score-threshold", "d", 0.01));
  g_assert_cmpuint (lamina_image_page_get_detections (page)->len, >, json_array_get_length (expected));
}

/* A row selects its box, a box (clicked: the hit test) its row. */
static void
check_selection (Fixture *f)
{
  LaminaImagePage *page = lamina_window_get_image_page (f->window);
  LaminaImageView *view = lamina_image_page_get_view (page);
  GtkSingleSelection *rows = lamina_image_page_get_selection (page);
  const LaminaDetections *dets = lamina_image_page_get_detections (page);
  const LaminaDetection *d;
  int hit;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, dets->len);
  gtk_single_selection_set_selected (rows, 1);
  g_assert_cmpint (lamina_image_view_get_selected (view), ==, lamina_image_view_shown_index (view, 1));
  d = &dets->items[0];
  hit = lamina_image_view_hit (view, (d->x0 + d->x1) / 2, (d->y0 + d->y1) / 2);
  g_assert_cmpint (hit, >=, 0);
  lamina_image_view_set_selected (view, hit);
  g_assert_cmpuint (gtk_single_selection_get_selected (rows), ==, (guint) hit);
  /* a hidden class leaves the list and the image */
  lamina_image_page_set_class_visible (page, dets->items[0].class_id, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), <, dets->len);
  g_assert_cmpint (lamina_image_view_get_selected (view), ==, -1);
  lamina_image_page_set_class_visible (page, dets->items[0].class_id, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, dets->len);
}

static void
check_export_image (Fixture *f, const char *image)
{
  g_autofree char *png = g_build_filename (lamina_test_tmpdir (), "annotated.png", NULL);
  g_autoptr(LaminaImage) original = lamina_image_load (image, NULL);
  cairo_surface_t *surface;

  g_unlink (png);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export-image-to", "s", png));
  surface = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, original->width);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, original->height);
  cairo_surface_destroy (surface);
}

/* After steps, the current layer (a convolution: 4-D) can be laid over. */
static void
check_feature_overlay (Fixture *f)
{
  LaminaImagePage *page = lamina_window_get_image_page (f->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sim-reset", NULL));
  sim_command (f, "win.sim-step", NULL);
  sim_command (f, "win.sim-step", NULL);
  g_assert_true (lamina_image_page_has_feature (page));
  lamina_image_page_show_feature (page, TRUE);
  /* the detections of the whole run stay */
  g_assert_nonnull (lamina_image_page_get_detections (page));
  lamina_image_page_show_feature (page, FALSE);
}

static void
test_image_yolo (void)
{
  g_autofree char *model = NULL, *image = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *expected;
  Fixture f = { 0 };

  if (!lamina_test_need_display ())
    return;
  model = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  image = lamina_test_shared_image ("bus.jpg");
  if (model == NULL || image == NULL)
    return;
  expected = cli_detections (model, image, &root);
  sim_fixture (&f);
  open_and_draw (&f, model);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.sim-image", "s", image));
  lamina_test_spin_until (has_detections, &f, 120);
  check_same_as_cli (lamina_image_page_get_detections (lamina_window_get_image_page (f.window)), expected);
  check_selection (&f);
  check_score_threshold (&f, expected);
  /* back to the preset's threshold: the detections of the CLI again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.set-score-threshold", "d", 0.3));
  check_same_as_cli (lamina_image_page_get_detections (lamina_window_get_image_page (f.window)), expected);
  check_export_image (&f, image);
  check_feature_overlay (&f);

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_free (f.failure);
}

/* ---- quantize ---------------------------------------------------------------- */

/* Another LaminaWindow than data's, once it shows a model. */
static LaminaWindow *
other_window_with_model (Fixture *f)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* not owned */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (LAMINA_IS_WINDOW (w) && (LaminaWindow *) w != f->window &&
          lamina_window_get_document (LAMINA_WINDOW (w)) != NULL)
        return LAMINA_WINDOW (w);
    }
  return NULL;
}

static gboolean
result_opened (gpointer data)
{
  return other_window_with_model (data) != NULL;
}

/* win.quantize-to on Yolo-FastestV2 with two of the shared images: the
 * fixed model is written and opens in a new window. */
static void
test_quantize_yolo (void)
{
  g_autofree char *model = NULL, *bus = NULL, *dog = NULL;
  g_autofree char *calib = g_build_filename (lamina_test_tmpdir (), "quant-calib", NULL);
  g_autofree char *output = g_build_filename (lamina_test_tmpdir (), "yolo-int8.onnx", NULL);
  LaminaWindow *fixed;
  Fixture f = { 0 };

  if (!lamina_test_need_display ())
    return;
  model = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx");
  bus = lamina_test_shared_image ("bus.jpg");
  dog = lamina_test_shared_image ("dog.jpg");
  if (model == NULL || bus == NULL || dog == NULL)
    return;
  /* a folder of two images keeps calibration short */
  g_assert_cmpint (g_mkdir_with_parents (calib, 0755), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      const char *src = i ? dog : bus;
      g_autofree char *base = g_path_get_basename (src);
      g_autoptr(GFile) from = g_file_new_for_path (src);
      g_autoptr(GFile) to = g_file_new_build_filename (calib, base, NULL);
      g_autoptr(GError) error = NULL;
      g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_unlink (output);
  sim_fixture (&f);
  open_and_draw (&f, model);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.window), "win.quantize-to", "(ss)", calib, output));
  lamina_test_spin_until (result_opened, &f, 180);
  fixed = other_window_with_model (&f);
  g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (lamina_kind_name (lamina_document_get_model (lamina_window_get_document (fixed))->kind), ==, "fixed");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixed)), ==, "yolo-int8.onnx");

  gtk_window_destroy (GTK_WINDOW (fixed));
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

  if (!lamina_test_need_display ())
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
  if (lamina_test_gui_init ())
    adw_init ();
  g_test_add_func ("/lamina/gui/screenshot", test_screenshot);
  g_test_add_func ("/lamina/gui/screenshot-needs-model", test_screenshot_needs_model);
  g_test_add_func ("/lamina/gui/window", test_window);
  g_test_add_func ("/lamina/gui/help-overlay", test_help_overlay);
  g_test_add_func ("/lamina/gui/sim-tiny", test_sim_tiny);
  g_test_add_func ("/lamina/gui/sim-unsupported", test_sim_unsupported);
  g_test_add_func ("/lamina/gui/sim-yolo", test_sim_yolo);
  g_test_add_func ("/lamina/gui/sim-responsive", test_sim_responsive);
  g_test_add_func ("/lamina/gui/image-yolo", test_image_yolo);
  g_test_add_func ("/lamina/gui/quantize-yolo", test_quantize_yolo);
  return g_test_run ();
}
