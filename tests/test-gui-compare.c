/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-gui-compare: the window's Compare page (issue 6) under a display
 * (CI runs it under Xvfb). Yolo-FastestV2 is quantized with `lamina-cli
 * quantize` (min-max int8, four shared calibration images); then
 *   page        the fixed model's window, win.compare-with-file the float
 *               model, win.compare-image bus.jpg, then voc-000004.jpg
 *               (int8 misses a detection there): the page's matched,
 *               missed and extra rows, both detection lists and the layers
 *               equal `lamina-cli compare --json`'s; a lower score threshold
 *               keeps every detection in exactly one row; a row selects
 *               its boxes in both panes, a clicked box its row; zooming
 *               one pane moves the other; the heatmap starts on the worst
 *               layer, follows win.compare-layer, next, a channel, and goes
 *               away when turned off;
 *               Layers: the table has a row per layer of the CLI's JSON;
 *               a row selects its layer's node in the graph and its
 *               heatmap, a node or an edge selected in the graph its row;
 *               colouring the graph by a metric hides the category legend,
 *               "none" brings it back; a tensor of a pair opens as a pair
 *               (overlaid histograms), a weight does not; another model in
 *               the window clears the table and the colouring;
 *   suggest     What to do on bus.jpg (3 candidates, the images beside it
 *               for calibration): Re-quantize with Selected writes the
 *               mixed model beside the fixed one, a new window opens it in
 *               compare mode (same float model, same image), before ≤ after;
 *   quantize    the window the Quantize… dialog opens knows its float
 *               model: its Compare page is there and compares;
 *   screenshot  `lamina FIXED --compare-with FLOAT --input-image bus.jpg
 *               --compare-layer L --screenshot` writes a PNG of the size
 *               asked for.
 * Skips without a display or ../shared.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include "lamina-window.h"
#include "lamina-test-util.h"
#include "lamina-test-gui.h"

#define MODEL "yolo-fastestv2-coco-352.onnx"

static const char *const calib_images[] = { "bus.jpg", "zidane.jpg", "faces-2.jpg", "voc-000004.jpg" };


/* ---- the pair ------------------------------------------------------------------- */

/* The float model quantized by lamina-cli (once per program), or NULL
 * (skipped). */
static char *
quantized (const char *float_path)
{
  static char *fixed;
  g_autofree char *dir = g_build_filename (lamina_test_tmpdir (), "calib", NULL);

  if (fixed != NULL)
    return g_strdup (fixed);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (calib_images); i++)
    {
      g_autofree char *image = lamina_test_shared_image (calib_images[i]);
      g_autofree char *link = g_build_filename (dir, calib_images[i], NULL);
      if (image == NULL)
        return NULL;
      if (!g_file_test (link, G_FILE_TEST_EXISTS))
        g_assert_cmpint (symlink (image, link), ==, 0);
    }
  fixed = g_build_filename (lamina_test_tmpdir (), "yolo-fastestv2-int8.onnx", NULL);
  {
    LaminaTestRun r = lamina_test_run_cli ("quantize", float_path, "--calib", dir, "-o", fixed, NULL);
    if (r.status != 0)
      g_error ("lamina-cli quantize failed: %s", r.err);
    lamina_test_run_clear (&r);
  }
  return g_strdup (fixed);
}

/* `lamina-cli compare --json` of the pair on image. */
static JsonNode *
cli_compare (const char *flt, const char *fixed, const char *image)
{
  LaminaTestRun r = lamina_test_run_cli ("compare", flt, fixed, "--image", image, "--json", NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (r.status != 0)
    g_error ("lamina-cli compare failed: %s", r.err);
  root = json_from_string (r.out, &error);
  g_assert_no_error (error);
  lamina_test_run_clear (&r);
  return root;
}

/* ---- the window ------------------------------------------------------------------- */



static gboolean
is_drawn (gpointer data)
{
  LaminaWindow *window = data;

  return lamina_window_get_document (window) != NULL && lamina_window_is_settled (window) &&
         lamina_graph_view_get_first_frame_time (lamina_window_get_graph_view (window)) > 0;
}

static gboolean
is_ready (gpointer data)
{
  return lamina_compare_session_is_ready (lamina_window_get_compare_session (data));
}

static gboolean
has_result (gpointer data)
{
  LaminaWindow *window = data;

  return lamina_window_is_settled (window) &&
         lamina_compare_session_get_result (lamina_window_get_compare_session (window)) != NULL;
}

typedef struct {
  LaminaWindow      *window;
  const LaminaImage *image;
} Waiting;

/* A result of an image of this size (the run of the previous image may
 * still be shown). */
static gboolean
has_result_of (gpointer data)
{
  const Waiting *w = data;
  const LaminaImage *shown = lamina_compare_session_get_image (lamina_window_get_compare_session (w->window));

  return has_result (w->window) && shown != NULL && shown->width == w->image->width &&
         shown->height == w->image->height;
}

static LaminaWindow *
open_window (const char *path)
{
  LaminaWindow *window = lamina_window_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  lamina_window_open (window, file);
  lamina_test_spin_until (is_drawn, window, 120);
  return window;
}

static gboolean
compare_page_visible (LaminaWindow *window)
{
  GtkWidget *page = GTK_WIDGET (lamina_window_get_compare_page (window));

  return gtk_stack_page_get_visible (gtk_stack_get_page (GTK_STACK (gtk_widget_get_parent (page)), page));
}

/* ---- checks ---------------------------------------------------------------------------- */

static void
check_detections (const LaminaDetections *dets, JsonArray *expected)
{
  g_assert_nonnull (dets);
  g_assert_cmpuint (dets->len, ==, json_array_get_length (expected));
  for (guint i = 0; i < dets->len; i++)
    {
      JsonObject *o = json_array_get_object_element (expected, i);
      g_assert_cmpint (dets->items[i].class_id, ==, json_object_get_int_member (o, "class_id"));
      g_assert_cmpfloat_with_epsilon (dets->items[i].score, json_object_get_double_member (o, "score"), 1e-4);
    }
}

/* What the page shows equals what the CLI prints. */
static void
check_same_as_cli (LaminaWindow *window, JsonNode *root)
{
  LaminaComparePage *page = lamina_window_get_compare_page (window);
  LaminaCompareSession *session = lamina_window_get_compare_session (window);
  JsonObject *o = json_node_get_object (root);
  JsonObject *dets = json_object_get_object_member (o, "detections");
  JsonArray *layers = json_object_get_array_member (o, "layers");

  g_test_message ("CLI: %" G_GINT64_FORMAT " matched, %" G_GINT64_FORMAT " missed, %" G_GINT64_FORMAT " extra",
                  json_object_get_int_member (dets, "matched"), json_object_get_int_member (dets, "missed"),
                  json_object_get_int_member (dets, "extra"));
  g_assert_cmpint (lamina_compare_page_count_rows (page, LAMINA_COMPARE_MATCHED), ==, json_object_get_int_member (dets, "matched"));
  g_assert_cmpint (lamina_compare_page_count_rows (page, LAMINA_COMPARE_MISSED), ==, json_object_get_int_member (dets, "missed"));
  g_assert_cmpint (lamina_compare_page_count_rows (page, LAMINA_COMPARE_EXTRA), ==, json_object_get_int_member (dets, "extra"));
  g_assert_cmpuint (lamina_compare_page_count_rows (page, LAMINA_COMPARE_MATCHED), >, 0);
  check_detections (lamina_compare_session_get_detections (session, FALSE), json_object_get_array_member (dets, "float"));
  check_detections (lamina_compare_session_get_detections (session, TRUE), json_object_get_array_member (dets, "fixed"));
  /* the same layers with the same figures */
  g_assert_cmpuint (lamina_compare_session_get_n_layers (session), ==, json_array_get_length (layers));
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      const LaminaCompareLayer *got = lamina_compare_session_get_layer (session, i);
      g_assert_cmpstr (got->pair->fixed->name, ==, json_object_get_string_member (l, "fixed"));
      g_assert_cmpfloat_with_epsilon (got->metrics.cosine, json_object_get_double_member (l, "cosine"), 1e-6);
    }
}

/* At a lower threshold every detection of either model is in exactly one
 * row: matched + missed = float, matched + extra = fixed. */
static void
check_threshold (LaminaWindow *window)
{
  LaminaComparePage *page = lamina_window_get_compare_page (window);
  LaminaCompareSession *session = lamina_window_get_compare_session (window);
  guint before = lamina_compare_session_get_detections (session, FALSE)->len;
  guint matched, missed, extra;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.set-score-threshold", "d", 0.1));
  matched = lamina_compare_page_count_rows (page, LAMINA_COMPARE_MATCHED);
  missed = lamina_compare_page_count_rows (page, LAMINA_COMPARE_MISSED);
  extra = lamina_compare_page_count_rows (page, LAMINA_COMPARE_EXTRA);
  g_test_message ("score 0.1: %u matched, %u missed, %u extra", matched, missed, extra);
  g_assert_cmpuint (lamina_compare_session_get_detections (session, FALSE)->len, >, before);
  g_assert_cmpuint (matched + missed, ==, lamina_compare_session_get_detections (session, FALSE)->len);
  g_assert_cmpuint (matched + extra, ==, lamina_compare_session_get_detections (session, TRUE)->len);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lamina_compare_page_get_selection (page))), ==,
                    matched + missed + extra);
}

/* The detection shown as box `item` of a pane. */
static const LaminaDetection *
box (LaminaImageView *view, int item)
{
  return &lamina_image_view_get_shown (view)->items[item];
}

/* A row selects a box in each pane (the same class); a box its row. */
static void
check_selection (LaminaWindow *window)
{
  LaminaComparePage *page = lamina_window_get_compare_page (window);
  GtkSingleSelection *rows = lamina_compare_page_get_selection (page);
  LaminaImageView *fv = lamina_compare_page_get_view (page, FALSE), *xv = lamina_compare_page_get_view (page, TRUE);
  const LaminaDetection *d;
  int hit;

  gtk_single_selection_set_selected (rows, 0);
  g_assert_cmpint (lamina_image_view_get_selected (fv), >=, 0);
  g_assert_cmpint (lamina_image_view_get_selected (xv), >=, 0);
  g_assert_cmpint (box (fv, lamina_image_view_get_selected (fv))->class_id, ==,
                   box (xv, lamina_image_view_get_selected (xv))->class_id);
  /* every pane shows a box per row: its own or a ghost of the other's */
  g_assert_cmpuint (lamina_image_view_get_shown (fv)->len, ==, g_list_model_get_n_items (G_LIST_MODEL (rows)));
  g_assert_cmpuint (lamina_image_view_get_shown (xv)->len, ==, g_list_model_get_n_items (G_LIST_MODEL (rows)));
  /* clicking the box of the last row in the fixed pane selects that row */
  gtk_single_selection_set_selected (rows, g_list_model_get_n_items (G_LIST_MODEL (rows)) - 1);
  d = box (xv, lamina_image_view_get_selected (xv));
  gtk_single_selection_set_selected (rows, GTK_INVALID_LIST_POSITION);
  g_assert_cmpint (lamina_image_view_get_selected (fv), ==, -1);
  hit = lamina_image_view_hit (xv, (d->x0 + d->x1) / 2, (d->y0 + d->y1) / 2);
  g_assert_cmpint (hit, >=, 0);
  lamina_image_view_set_selected (xv, hit);
  g_assert_cmpuint (gtk_single_selection_get_selected (rows), !=, GTK_INVALID_LIST_POSITION);
  g_assert_cmpint (lamina_image_view_get_selected (fv), >=, 0);
}

/* Zooming the float pane zooms and moves the fixed pane with it. */
static void
check_linked_views (LaminaWindow *window)
{
  LaminaComparePage *page = lamina_window_get_compare_page (window);
  LaminaViewport *a = lamina_image_view_get_viewport (lamina_compare_page_get_view (page, FALSE));
  LaminaViewport *b = lamina_image_view_get_viewport (lamina_compare_page_get_view (page, TRUE));
  double ax, ay, bx, by;

  lamina_viewport_zoom_at (a, 2.0, 30, 40);
  lamina_viewport_pan (a, 25, -10);
  g_assert_cmpfloat_with_epsilon (lamina_viewport_get_zoom (a), lamina_viewport_get_zoom (b), 1e-9);
  lamina_viewport_get_origin (a, &ax, &ay);
  lamina_viewport_get_origin (b, &bx, &by);
  g_assert_cmpfloat_with_epsilon (ax, bx, 1e-6);
  g_assert_cmpfloat_with_epsilon (ay, by, 1e-6);
  /* and back: the fixed pane leads as well */
  lamina_viewport_set_zoom (b, 0.5);
  g_assert_cmpfloat_with_epsilon (lamina_viewport_get_zoom (a), 0.5, 1e-9);
}

static void
check_heatmap (LaminaWindow *window, const char *other_layer)
{
  LaminaComparePage *page = lamina_window_get_compare_page (window);
  const LaminaCompare *result = lamina_compare_session_get_result (lamina_window_get_compare_session (window));
  const char *first;

  /* on the worst layer first */
  g_assert_true (lamina_compare_page_has_heatmap (page));
  g_assert_cmpstr (lamina_compare_page_get_layer (page), ==, lamina_compare_worst_layer (result)->pair->flt->name);
  /* a layer by name (the fixed tensor's is fine too) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-layer", "s", other_layer));
  g_assert_cmpstr (lamina_compare_find_layer (result, lamina_compare_page_get_layer (page))->pair->fixed->name, ==,
                   lamina_compare_find_layer (result, other_layer)->pair->fixed->name);
  g_assert_true (lamina_compare_page_has_heatmap (page));
  first = lamina_compare_page_get_layer (page);
  g_assert_false (lamina_compare_page_select_layer (page, "no such layer"));
  g_assert_cmpstr (lamina_compare_page_get_layer (page), ==, first);
  /* one channel */
  lamina_compare_page_set_channel (page, 2);
  g_assert_true (lamina_compare_page_has_heatmap (page));
  lamina_compare_page_set_channel (page, 0);
  lamina_compare_page_show_heatmap (page, FALSE);
  g_assert_false (lamina_compare_page_has_heatmap (page));
  lamina_compare_page_show_heatmap (page, TRUE);
  g_assert_true (lamina_compare_page_has_heatmap (page));
}

/* A layer with an error map other than the worst one. */
static const char *
another_layer (LaminaWindow *window)
{
  LaminaCompareSession *session = lamina_window_get_compare_session (window);
  const LaminaCompare *result = lamina_compare_session_get_result (session);
  const LaminaCompareLayer *worst = lamina_compare_worst_layer (result);

  for (guint i = 0; i < lamina_compare_session_get_n_layers (session); i++)
    {
      const LaminaCompareLayer *l = lamina_compare_session_get_layer (session, i);
      if (l != worst && lamina_compare_has_error_map (result, l->pair))
        return l->pair->fixed->name;
    }
  g_assert_not_reached ();
}

/* ---- Layers, graph and tensor view ----------------------------------------------------------- */


/* The table's rows as the user clicks them. */
static GtkSingleSelection *
table_rows (LaminaWindow *window)
{
  GtkWidget *view = lamina_test_template_child (lamina_window_get_metrics_table (window), LAMINA_TYPE_METRICS_TABLE, "table");

  return GTK_SINGLE_SELECTION (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)));
}

/* The node of the graph's selected box, or NULL. */
static const LaminaNode *
selected_node (LaminaWindow *window)
{
  LaminaGraphView *view = lamina_window_get_graph_view (window);
  int box = lamina_graph_view_get_selected (view);

  if (box < 0)
    return NULL;
  return g_array_index (lamina_scene_get_layout (lamina_graph_view_get_scene (view))->boxes, LaminaBox, box).node;
}

/* The operator a fixed tensor of the QDQ model stands for: the producer of
 * what its QuantizeLinear quantizes. */
static const LaminaNode *
layer_node (const LaminaTensor *fixed)
{
  const LaminaTensor *in;

  g_assert_nonnull (fixed->producer);
  g_assert_cmpstr (fixed->producer->op_type, ==, "QuantizeLinear");
  in = g_ptr_array_index (fixed->producer->inputs, 0);
  g_assert_nonnull (in->producer);
  return in->producer;
}

/* The heatmap's next (or previous) layer, picked with its arrow on the
 * Boxes and Heatmap page, selects its row and its node. */
static void
check_heatmap_selects_row (LaminaWindow *window)
{
  LaminaComparePage *page = lamina_window_get_compare_page (window);
  const LaminaCompare *result = lamina_compare_session_get_result (lamina_window_get_compare_session (window));
  LaminaMetricsTable *table = lamina_window_get_metrics_table (window);
  GtkWidget *next = lamina_test_template_child (page, LAMINA_TYPE_COMPARE_PAGE, "next_button");
  GtkWidget *prev = lamina_test_template_child (page, LAMINA_TYPE_COMPARE_PAGE, "prev_button");
  g_autofree char *before = g_strdup (lamina_compare_page_get_layer (page));
  gboolean forward;

  g_assert_nonnull (before);
  g_assert_true (gtk_widget_get_sensitive (next) || gtk_widget_get_sensitive (prev));
  forward = gtk_widget_get_sensitive (next);
  /* there and back: the checks that follow expect the layer as it was */
  for (int step = 0; step < 2; step++)
    {
      const LaminaCompareLayer *l;
      g_signal_emit_by_name ((step == 0) == forward ? next : prev, "clicked");
      g_assert_cmpint (g_strcmp0 (lamina_compare_page_get_layer (page), before) == 0, ==, step == 1);
      l = lamina_compare_find_layer (result, lamina_compare_page_get_layer (page));
      g_assert_nonnull (l);
      g_assert_cmpint (lamina_metrics_table_get_selected (table), >=, 0);
      g_assert_true (g_array_index (result->layers, LaminaCompareLayer, lamina_metrics_table_get_selected (table)).pair
                     == l->pair);
      g_assert_true (selected_node (window) == layer_node (l->pair->fixed));
    }
}

/* As many rows as the CLI's layers; rows select nodes and heatmap layers,
 * the graph selects rows, the heatmap's layer arrows select rows. */
static void
check_layers (LaminaWindow *window, JsonNode *root)
{
  LaminaMetricsTable *table = lamina_window_get_metrics_table (window);
  LaminaCompareSession *session = lamina_window_get_compare_session (window);
  const LaminaCompare *result = lamina_compare_session_get_result (session);
  JsonArray *layers = json_object_get_array_member (json_node_get_object (root), "layers");
  GtkSingleSelection *rows = table_rows (window);
  const LaminaCompareLayer *worst, *other;
  int pair;

  g_assert_cmpuint (lamina_metrics_table_get_n_layers (table), ==, json_array_get_length (layers));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, json_array_get_length (layers));

  /* the first row (worst SQNR): its Conv in the graph, its heatmap */
  gtk_single_selection_set_selected (rows, 0);
  pair = lamina_metrics_table_get_selected (table);
  g_assert_cmpint (pair, >=, 0);
  worst = &g_array_index (result->layers, LaminaCompareLayer, pair);
  g_assert_true (selected_node (window) == layer_node (worst->pair->fixed));
  if (lamina_compare_has_error_map (result, worst->pair))
    g_assert_cmpstr (lamina_compare_page_get_layer (lamina_window_get_compare_page (window)), ==, worst->pair->flt->name);

  /* another layer's node selected in the graph selects its row */
  other = &g_array_index (result->layers, LaminaCompareLayer, result->layers->len / 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.select-node", "s",
                                             layer_node (other->pair->fixed)->name));
  g_assert_true (selected_node (window) == layer_node (other->pair->fixed));
  g_assert_true (g_array_index (result->layers, LaminaCompareLayer, lamina_metrics_table_get_selected (table)).pair ==
                 other->pair);
  /* an edge too: the fixed tensor's */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.select-tensor", "s", worst->pair->fixed->name));
  g_assert_cmpint (lamina_metrics_table_get_selected (table), ==, pair);
  check_heatmap_selects_row (window);
}

static gboolean
graph_has_metric (LaminaWindow *window)
{
  return lamina_graph_view_has_node_metric (lamina_window_get_graph_view (window));
}

static gboolean
legend_shown (LaminaWindow *window)
{
  return gtk_widget_get_visible (lamina_test_template_child (window, LAMINA_TYPE_WINDOW, "legend"));
}

/* SQNR colours the graph once compared; none clears it and the category
 * legend comes back. */
static void
check_colouring (LaminaWindow *window)
{
  LaminaMetricsTable *table = lamina_window_get_metrics_table (window);

  g_assert_cmpint (lamina_metrics_table_get_color_metric (table), ==, LAMINA_METRIC_SQNR);
  g_assert_true (graph_has_metric (window));
  g_assert_false (legend_shown (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.color-metric", "s", "none"));
  g_assert_false (graph_has_metric (window));
  g_assert_true (legend_shown (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.color-metric", "s", "clipped"));
  g_assert_cmpint (lamina_metrics_table_get_color_metric (table), ==, LAMINA_METRIC_CLIPPED);
  g_assert_true (graph_has_metric (window));
  g_assert_false (legend_shown (window));
  lamina_metrics_table_set_color_metric (table, LAMINA_METRIC_SQNR);
  g_assert_true (graph_has_metric (window));
}

static gboolean
tensor_ready (gpointer data)
{
  return !lamina_tensor_view_is_busy (lamina_window_get_tensor_view (data));
}

/* A tensor of a pair opens with both values; a weight alone. */
static void
check_tensor_pair (LaminaWindow *window)
{
  LaminaTensorView *view = lamina_window_get_tensor_view (window);
  const LaminaCompareLayer *l = lamina_compare_worst_layer (lamina_compare_session_get_result (lamina_window_get_compare_session (window)));
  const LaminaTensor *weight = NULL;
  const LaminaNode *conv = layer_node (l->pair->fixed);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.select-tensor", "s", l->pair->fixed->name));
  g_assert_true (lamina_tensor_view_get_tensor (view) == l->pair->fixed);
  g_assert_true (lamina_tensor_view_is_pair (view));
  lamina_test_spin_until (tensor_ready, window, 60);
  g_assert_nonnull (lamina_tensor_view_get_stats (view));
  /* the Conv's weights come through a DequantizeLinear of a constant */
  for (guint i = 0; i < conv->inputs->len && weight == NULL; i++)
    {
      const LaminaTensor *in = g_ptr_array_index (conv->inputs, i);
      if (in != NULL && in->producer != NULL && g_str_equal (in->producer->op_type, "DequantizeLinear"))
        {
          const LaminaTensor *x = g_ptr_array_index (in->producer->inputs, 0);
          if (x->is_constant)
            weight = x;
        }
    }
  g_assert_nonnull (weight);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.select-tensor", "s", weight->name));
  g_assert_true (lamina_tensor_view_get_tensor (view) == weight);
  g_assert_false (lamina_tensor_view_is_pair (view));
  lamina_test_spin_until (tensor_ready, window, 60);
}

static gboolean
shows_document (gpointer data)
{
  LaminaWindow *window = ((gpointer *) data)[0];

  return lamina_window_get_document (window) != ((gpointer *) data)[1] && is_drawn (window);
}

/* Another model in the window: no pair, no table, no colouring. */
static void
check_cleared (LaminaWindow *window, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gpointer data[2] = { window, lamina_window_get_document (window) };

  lamina_window_open (window, file);
  lamina_test_spin_until (shows_document, data, 120);
  g_assert_false (lamina_compare_session_is_ready (lamina_window_get_compare_session (window)));
  g_assert_cmpuint (lamina_metrics_table_get_n_layers (lamina_window_get_metrics_table (window)), ==, 0);
  g_assert_false (graph_has_metric (window));
  g_assert_true (legend_shown (window));
}

/* ---- tests ------------------------------------------------------------------------------- */

static void
test_page (void)
{
  g_autofree char *flt = NULL, *fixed = NULL, *bus = NULL, *voc = NULL;
  g_autoptr(JsonNode) root = NULL, voc_root = NULL;
  g_autoptr(LaminaImage) voc_image = NULL;
  LaminaWindow *window;

  if (!lamina_test_need_display ())
    return;
  if ((flt = lamina_test_shared_model (MODEL)) == NULL || (bus = lamina_test_shared_image ("bus.jpg")) == NULL ||
      (voc = lamina_test_shared_image ("voc-000004.jpg")) == NULL || (fixed = quantized (flt)) == NULL)
    return;
  root = cli_compare (flt, fixed, bus);
  voc_root = cli_compare (flt, fixed, voc);
  voc_image = lamina_image_load (voc, NULL);
  window = open_window (fixed);
  /* no partner yet: no Compare page, nothing to compare on */
  g_assert_false (compare_page_visible (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-image", "s", bus);
  g_assert_false (lamina_compare_session_is_running (lamina_window_get_compare_session (window)));
  g_assert_null (lamina_compare_session_get_image (lamina_window_get_compare_session (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-with-file", "s", flt));
  lamina_test_spin_until (is_ready, window, 60);
  g_assert_true (compare_page_visible (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-image", "s", bus));
  lamina_test_spin_until (has_result, window, 120);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_parent (
                     GTK_WIDGET (lamina_window_get_compare_page (window))))), ==, "compare");
  check_same_as_cli (window, root);
  check_layers (window, root);
  check_colouring (window);
  check_tensor_pair (window);
  /* an image where int8 loses a detection at the preset's threshold */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-image", "s", voc));
  lamina_test_spin_until (has_result_of, &(Waiting) { window, voc_image }, 120);
  check_same_as_cli (window, voc_root);
  g_assert_cmpuint (lamina_compare_page_count_rows (lamina_window_get_compare_page (window), LAMINA_COMPARE_MISSED) +
                    lamina_compare_page_count_rows (lamina_window_get_compare_page (window), LAMINA_COMPARE_EXTRA), >, 0);
  check_heatmap (window, another_layer (window));
  check_linked_views (window);
  check_threshold (window);
  check_selection (window);
  check_cleared (window, flt);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Another LaminaWindow than `self` that shows a model. */
static LaminaWindow *
other_window (LaminaWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (LAMINA_IS_WINDOW (w) && (LaminaWindow *) w != self && lamina_window_get_document (LAMINA_WINDOW (w)))
        return LAMINA_WINDOW (w);
    }
  return NULL;
}

static gboolean
other_is_drawn (gpointer data)
{
  LaminaWindow *w = other_window (data);

  return w != NULL && is_drawn (w);
}

static gboolean
panel_idle (gpointer data)
{
  return !lamina_suggest_panel_is_busy (data);
}

typedef struct {
  char  *path;
  double before, after;
} Requantized;

static void
on_requantized (LaminaSuggestPanel *panel, const char *path, double before, double after, Requantized *r)
{
  g_free (r->path);
  r->path = g_strdup (path);
  r->before = before;
  r->after = after;
}

/* The window of the re-quantized model has compared (it opens on the
 * Compare page: its graph is not drawn). */
static gboolean
other_has_result (gpointer data)
{
  LaminaWindow *w = other_window (data);

  return w != NULL && has_result (w);
}

/* What to do: measure three layers, re-quantize with those that help; the
 * new model opens in a window of its own, compared with the same float
 * model on the same image. */
static void
test_suggest (void)
{
  g_autofree char *flt = NULL, *fixed = NULL, *bus = NULL, *expected = NULL, *stem = NULL;
  g_autofree char *opened = NULL;
  Requantized r = { NULL, 0, 0 };
  const LaminaSuggestResult *result;
  LaminaWindow *window, *mixed;
  LaminaSuggestPanel *panel;
  LaminaCompareSession *session;
  gboolean checked = FALSE;

  if (!lamina_test_need_display ())
    return;
  if ((flt = lamina_test_shared_model (MODEL)) == NULL || (bus = lamina_test_shared_image ("bus.jpg")) == NULL ||
      (fixed = quantized (flt)) == NULL)
    return;
  window = open_window (fixed);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-with-file", "s", flt));
  lamina_test_spin_until (is_ready, window, 60);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-image", "s", bus));
  lamina_test_spin_until (has_result, window, 120);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-side-page", "s", "what-to-do"));

  /* the mixed model goes beside the fixed one */
  panel = lamina_window_get_suggest_panel (window);
  stem = g_strndup (fixed, strlen (fixed) - strlen (".onnx"));
  expected = g_strconcat (stem, "-mixed.onnx", NULL);
  g_assert_cmpstr (lamina_suggest_panel_get_output (panel), ==, expected);
  g_unlink (expected);

  lamina_suggest_panel_set_candidates (panel, 3);
  lamina_suggest_panel_start (panel);
  g_assert_true (lamina_suggest_panel_is_busy (panel));
  g_assert_false (lamina_window_is_settled (window));
  lamina_test_spin_until (panel_idle, panel, 120);
  result = lamina_suggest_panel_get_result (panel);
  g_assert_nonnull (result);
  g_assert_cmpuint (result->suggestions->len, ==, 3);
  for (guint i = 0; i < result->suggestions->len; i++)
    {
      const LaminaSuggestion *sg = &g_array_index (result->suggestions, LaminaSuggestion, i);
      g_test_message ("%s as %s: output %.3f dB (base %.3f)", sg->layer,
                      sg->precision == LAMINA_PRECISION_INT16 ? "int16" : "float", sg->sqnr_db, result->base_sqnr_db);
      checked |= lamina_suggest_panel_get_checked (panel, i);
    }
  /* at least one layer measurably helps (issue 6) */
  g_assert_true (checked);

  g_signal_connect (panel, "requantized", G_CALLBACK (on_requantized), &r);
  lamina_suggest_panel_apply (panel);
  lamina_test_spin_until (panel_idle, panel, 120);
  g_assert_cmpstr (r.path, ==, expected);
  g_test_message ("re-quantized: %.3f dB → %.3f dB", r.before, r.after);
  g_assert_cmpfloat (r.after, >=, r.before);
  g_assert_cmpfloat_with_epsilon (r.before, result->base_sqnr_db, 1e-9);

  /* the new window: the mixed model, compared with the same float model
   * on the same image */
  lamina_test_spin_until (other_has_result, window, 120);
  mixed = other_window (window);
  opened = g_file_get_path (lamina_document_get_file (lamina_window_get_document (mixed)));
  g_assert_cmpstr (opened, ==, expected);
  session = lamina_window_get_compare_session (mixed);
  g_assert_true (lamina_compare_session_get_float (session) ==
                 lamina_compare_session_get_float (lamina_window_get_compare_session (window)));
  g_assert_true (lamina_compare_session_get_fixed (session) == lamina_window_get_document (mixed));
  g_assert_cmpint (lamina_compare_session_get_image (session)->width, ==,
                   lamina_compare_session_get_image (lamina_window_get_compare_session (window))->width);
  g_assert_true (compare_page_visible (mixed));
  g_assert_cmpuint (lamina_metrics_table_get_n_layers (lamina_window_get_metrics_table (mixed)), >, 0);
  g_free (r.path);
  gtk_window_destroy (GTK_WINDOW (mixed));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The fixed model's window from Quantize… compares with the float one. */
static void
test_quantize (void)
{
  g_autofree char *flt = NULL, *bus = NULL, *dog = NULL;
  g_autofree char *calib = g_build_filename (lamina_test_tmpdir (), "dialog-calib", NULL);
  g_autofree char *output = g_build_filename (lamina_test_tmpdir (), "dialog-int8.onnx", NULL);
  LaminaWindow *window, *fixed;
  LaminaCompareSession *session;

  if (!lamina_test_need_display ())
    return;
  if ((flt = lamina_test_shared_model (MODEL)) == NULL || (bus = lamina_test_shared_image ("bus.jpg")) == NULL ||
      (dog = lamina_test_shared_image ("dog.jpg")) == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (calib, 0700), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *base = g_path_get_basename (i ? dog : bus);
      g_autofree char *link = g_build_filename (calib, base, NULL);
      if (!g_file_test (link, G_FILE_TEST_EXISTS))
        g_assert_cmpint (symlink (i ? dog : bus, link), ==, 0);
    }
  window = open_window (flt);
  /* a float model alone has no pair */
  g_assert_false (compare_page_visible (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.quantize-to", "(ss)", calib, output));
  lamina_test_spin_until (other_is_drawn, window, 180);
  fixed = other_window (window);
  session = lamina_window_get_compare_session (fixed);
  g_assert_true (compare_page_visible (fixed));
  g_assert_true (lamina_compare_session_get_float (session) == lamina_window_get_document (window));
  g_assert_true (lamina_compare_session_get_fixed (session) == lamina_window_get_document (fixed));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixed), "win.compare-image", "s", bus));
  lamina_test_spin_until (has_result, fixed, 120);
  g_assert_nonnull (lamina_compare_session_get_detection_match (session));
  g_assert_cmpuint (lamina_compare_session_get_detection_match (session)->matched, >, 0);
  gtk_window_destroy (GTK_WINDOW (fixed));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_screenshot (void)
{
  g_autofree char *flt = NULL, *fixed = NULL, *bus = NULL, *err = NULL;
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "compare.png", NULL);
  g_autoptr(GError) error = NULL;
  const char *app = g_getenv ("LAMINA_APP");
  cairo_surface_t *img;
  int status = -1;

  if (!lamina_test_need_display ())
    return;
  if ((flt = lamina_test_shared_model (MODEL)) == NULL || (bus = lamina_test_shared_image ("bus.jpg")) == NULL ||
      (fixed = quantized (flt)) == NULL)
    return;
  g_assert_nonnull (app);
  const char *argv[] = { app, "--screenshot", out, "--window-size=1400x900", "--compare-with", flt,
                         "--input-image", bus, "--compare-layer", "867", fixed, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("lamina stderr: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  img = cairo_image_surface_create_from_png (out);
  g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (img), ==, 1400);
  g_assert_cmpint (cairo_image_surface_get_height (img), ==, 900);
  cairo_surface_destroy (img);
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
  g_test_add_func ("/lamina/gui-compare/page", test_page);
  g_test_add_func ("/lamina/gui-compare/suggest", test_suggest);
  g_test_add_func ("/lamina/gui-compare/quantize", test_quantize);
  g_test_add_func ("/lamina/gui-compare/screenshot", test_screenshot);
  return g_test_run ();
}
