/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-compare-widgets: the widgets of the window's compare mode (issue 6),
 * each built in a window of its own under a display (CI: Xvfb):
 *   graph-metric    node headers coloured by a per-node value on
 *                   Yolo-FastestV2: the values land on their boxes, the
 *                   legend's bright end is drawn, clearing removes both;
 *   metrics-table   a real comparison (Yolo-FastestV2 float vs int8
 *                   quantized on one image): rows worst SQNR first, sorting
 *                   by another column, graph → table selection without an
 *                   echo, a user selection emits the pair, node values for
 *                   the graph (the worst layer's producer has the worst);
 *   histogram-pair  the tensor view in compare mode on hand-made values
 *                   with known clipping and unused range;
 *   suggest-panel   "What to do" on Yolo-FastestV2: Cancel stops a
 *                   measurement, a measurement ranks layers, re-quantizing
 *                   with the checked ones writes a model that loads.
 * With LAMINA_TEST_SNAPSHOT_DIR set, each window is written there as PNG
 * to look at (LAMINA_TEST_DARK: in the dark style). Without a display
 * every test is skipped with a message.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include <adwaita.h>
#include "lamina-graph-view.h"
#include "lamina-metrics-table.h"
#include "lamina-resources.h"
#include "lamina-suggest-panel.h"
#include "lamina-tensor-view.h"
#include "lamina-test-util.h"
#include "lamina-test-gui.h"
#include "lamina-model-load.h"
#include "quant/lamina-calibrate.h"
#include "quant/lamina-compare.h"
#include "quant/lamina-quantize.h"
#include "render/lamina-colormap.h"
#include "vision/lamina-image.h"
#include "vision/lamina-preset.h"


/* ---- main loop and pictures ------------------------------------------------- */




static gboolean
window_drawn (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0 && gtk_widget_get_height (widget) > 0;
}


static GtkWindow *
new_window (GtkWidget *child, int w, int h)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, w, h);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  return window;
}

/* The window as drawn, and (with LAMINA_TEST_SNAPSHOT_DIR) a PNG of it. */
static GdkTexture *
picture (GtkWindow *window, const char *name)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  const char *dir = g_getenv ("LAMINA_TEST_SNAPSHOT_DIR");
  GdkTexture *texture;
  int w, h;

  /* a new window is mapped, sized and painted meanwhile (under load the
   * first frame can take longer than the 300 ms) */
  lamina_test_spin_until (window_drawn, widget, 30);
  lamina_test_spin_for (300);
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (dir != NULL)
    {
      g_autofree char *file = g_strconcat (name, ".png", NULL);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("wrote %s", path);
    }
  return texture;
}

/* Pixels within tol (per channel) of rgb (0…1). */
static guint
count_color (GdkTexture *texture, const double rgb[3], int tol)
{
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc ((gsize) w * h * 4);
  guint n = 0;

  /* cairo's ARGB32: B, G, R, A in memory on little-endian machines */
  gdk_texture_download (texture, data, (gsize) w * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      const guint8 *p = data + 4 * i;
      if (ABS (p[2] - (int) (rgb[0] * 255 + 0.5)) <= tol && ABS (p[1] - (int) (rgb[1] * 255 + 0.5)) <= tol &&
          ABS (p[0] - (int) (rgb[2] * 255 + 0.5)) <= tol)
        n++;
    }
  return n;
}

/* ---- models -------------------------------------------------------------------- */

static LaminaDocument *
load_document (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  LaminaDocument *doc = lamina_document_load (file, NULL, &error);

  g_assert_no_error (error);
  return doc;
}

static gboolean
has_scene (gpointer data)
{
  LaminaGraphView *view = data;

  return lamina_graph_view_get_scene (view) != NULL && lamina_graph_view_get_first_frame_time (view) > 0;
}

/* Yolo-FastestV2 quantized as `lamina-cli quantize` would, calibrated on
 * the given images (NULL-terminated). */
static LaminaModel *
quantize_yolo (LaminaModel *model, const char *path, const char *const *images)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) inputs = lamina_calibration_list_inputs (images, &error);
  g_autoptr(LaminaCalibration) calib = NULL;
  LaminaQuantizeOptions qo = { LAMINA_CALIB_MINMAX, 0, 8, NULL, NULL };
  LaminaModel *fixed;

  g_assert_no_error (error);
  calib = lamina_calibrate (model, path, inputs, NULL, NULL, &error);
  g_assert_no_error (error);
  fixed = lamina_quantize (model, calib, &qo, NULL, &error);
  g_assert_no_error (error);
  return fixed;
}

/* ---- graph-metric ------------------------------------------------------------------ */

static void
test_graph_metric (void)
{
  g_autofree char *path = NULL;
  g_autoptr(LaminaDocument) doc = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autoptr(GdkTexture) with = NULL, without = NULL;
  LaminaGraphView *view;
  LaminaGraph *graph;
  GtkWindow *window;
  const LaminaNode *worst = NULL, *plain = NULL;
  double bright[3];

  if (!lamina_test_need_display () || (path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx")) == NULL)
    return;
  doc = load_document (path);
  view = LAMINA_GRAPH_VIEW (lamina_graph_view_new ());
  window = new_window (GTK_WIDGET (view), 900, 700);
  lamina_graph_view_set_document (view, doc);
  lamina_test_spin_until (has_scene, view, 60);
  graph = lamina_document_get_model (doc)->graph;
  /* every Conv gets its position among the nodes as value, 0 dB the worst */
  for (guint i = 0; i < graph->nodes->len; i++)
    {
      const LaminaNode *node = g_ptr_array_index (graph->nodes, i);
      double v = i * 0.1;
      if (!g_str_equal (node->op_type, "Conv"))
        {
          plain = plain ? plain : node;
          continue;
        }
      worst = worst ? worst : node;
      g_hash_table_insert (values, (gpointer) node, g_memdup2 (&v, sizeof v));
    }
  g_assert_nonnull (worst);
  lamina_graph_view_set_node_metric (view, values, "SQNR", "dB", 0, graph->nodes->len * 0.1);
  g_assert_true (lamina_graph_view_has_node_metric (view));
  g_assert_cmpfloat (lamina_graph_view_get_box_metric (view, lamina_graph_view_find_box (view, worst)), ==,
                     *(double *) g_hash_table_lookup (values, worst));
  g_assert_true (isnan (lamina_graph_view_get_box_metric (view, lamina_graph_view_find_box (view, plain))));
  lamina_graph_view_zoom_to_fit (view);
  with = picture (window, "graph-metric");
  /* the legend's bar ends in inferno's brightest colour */
  lamina_colormap_inferno (1, bright);
  g_assert_cmpuint (count_color (with, bright, 3), >=, 8);
  g_clear_object (&with);
  /* at 100 %, the headers, the numbers under the boxes */
  lamina_viewport_set_zoom (lamina_graph_view_get_viewport (view), 1.0);
  lamina_graph_view_select_node (view, worst);
  with = picture (window, "graph-metric-zoom");

  lamina_graph_view_clear_node_metric (view);
  g_assert_false (lamina_graph_view_has_node_metric (view));
  g_assert_true (isnan (lamina_graph_view_get_box_metric (view, lamina_graph_view_find_box (view, worst))));
  without = picture (window, "graph-metric-cleared");
  g_assert_cmpuint (count_color (without, bright, 3), ==, 0);
  gtk_window_destroy (window);
}

/* ---- metrics-table ------------------------------------------------------------------ */

typedef struct {
  guint               n;
  int                 index;
  const LaminaTensor *flt, *fixed;
} Selected;

static void
on_pair_selected (LaminaMetricsTable *table, int index, gpointer flt, gpointer fixed, Selected *s)
{
  s->n++;
  s->index = index;
  s->flt = flt;
  s->fixed = fixed;
}

static const LaminaCompareLayer *
layer_at (const LaminaCompare *c, int i)
{
  g_assert_cmpint (i, >=, 0);
  return &g_array_index (c->layers, LaminaCompareLayer, i);
}

static void
check_order (LaminaMetricsTable *table, const LaminaCompare *c, LaminaMetricKind kind)
{
  guint n = lamina_metrics_table_get_n_layers (table);

  for (guint i = 1; i < n; i++)
    {
      double a = lamina_metric_kind_value (kind, &layer_at (c, lamina_metrics_table_get_pair_at (table, i - 1))->metrics);
      double b = lamina_metric_kind_value (kind, &layer_at (c, lamina_metrics_table_get_pair_at (table, i))->metrics);
      g_assert_true (a <= b || isnan (b));
    }
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *view, const char *title)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) col = g_list_model_get_item (columns, i);
      if (g_str_equal (gtk_column_view_column_get_title (col), title))
        return col;
    }
  g_assert_not_reached ();
}

static void
test_metrics_table (void)
{
  g_autofree char *path = NULL, *bus = NULL;
  g_autoptr(LaminaDocument) doc = NULL;
  g_autoptr(LaminaModel) fixed = NULL;
  g_autoptr(LaminaCompare) c = NULL;
  g_autoptr(LaminaImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GdkTexture) shot = NULL;
  LaminaMetricsTable *table;
  LaminaGraphView *view;
  GtkSelectionModel *selection;
  GtkColumnView *columns;
  GtkWidget *paned;
  GtkWindow *window;
  LaminaModel *model;
  const LaminaCompareLayer *worst, *other;
  Selected sel = { 0 };
  double lo = 0, hi = 0;
  guint position = 0;

  if (!lamina_test_need_display () || (path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx")) == NULL ||
      (bus = lamina_test_shared_image ("bus.jpg")) == NULL)
    return;
  doc = load_document (path);
  model = lamina_document_get_model (doc);
  fixed = quantize_yolo (model, path, (const char *const[]) { bus, NULL });
  c = lamina_compare_new (model, lamina_preset_find (path, model->graph, NULL, NULL),
                          fixed, lamina_preset_find (path, model->graph, NULL, NULL), 0, &error);
  g_assert_no_error (error);
  image = lamina_image_load (bus, &error);
  g_assert_no_error (error);
  g_assert_true (lamina_compare_run (c, image, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->layers->len, >, 20);

  table = LAMINA_METRICS_TABLE (lamina_metrics_table_new ());
  view = LAMINA_GRAPH_VIEW (lamina_graph_view_new ());
  paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_set_start_child (GTK_PANED (paned), GTK_WIDGET (view));
  gtk_paned_set_end_child (GTK_PANED (paned), GTK_WIDGET (table));
  gtk_paned_set_position (GTK_PANED (paned), 560);
  window = new_window (paned, 1400, 800);
  lamina_graph_view_set_document (view, doc);
  g_signal_connect (table, "pair-selected", G_CALLBACK (on_pair_selected), &sel);
  lamina_metrics_table_set_layers (table, c->match, c->layers);
  g_assert_cmpuint (lamina_metrics_table_get_n_layers (table), ==, c->layers->len);

  /* worst SQNR first */
  check_order (table, c, LAMINA_METRIC_SQNR);
  worst = layer_at (c, lamina_metrics_table_get_pair_at (table, 0));
  for (guint i = 0; i < c->layers->len; i++)
    g_assert_cmpfloat (worst->metrics.sqnr_db, <=, layer_at (c, i)->metrics.sqnr_db);
  /* another column sorts its own way */
  columns = GTK_COLUMN_VIEW (lamina_test_template_child (table, LAMINA_TYPE_METRICS_TABLE, "table"));
  gtk_column_view_sort_by_column (columns, column_titled (columns, "Cosine"), GTK_SORT_ASCENDING);
  check_order (table, c, LAMINA_METRIC_COSINE);

  /* graph → table: selects the row, no echo */
  other = layer_at (c, c->layers->len / 2);
  g_assert_true (lamina_metrics_table_select_tensor (table, other->pair->fixed));
  g_assert_cmpint (lamina_metrics_table_get_selected (table), ==, (int) (c->layers->len / 2));
  g_assert_cmpuint (sel.n, ==, 0);
  g_assert_false (lamina_metrics_table_select_tensor (table, NULL));
  g_assert_cmpint (lamina_metrics_table_get_selected (table), ==, -1);

  /* the user's selection emits the pair */
  selection = gtk_column_view_get_model (columns);
  while (lamina_metrics_table_get_pair_at (table, position) != (int) (c->layers->len / 2))
    position++;
  gtk_selection_model_select_item (selection, position, TRUE);
  g_assert_cmpuint (sel.n, ==, 1);
  g_assert_cmpint (sel.index, ==, (int) (c->layers->len / 2));
  g_assert_true (sel.flt == other->pair->flt && sel.fixed == other->pair->fixed);

  /* node values for the float graph: the worst layer's producer carries
   * the lowest SQNR, which is the legend's worst end */
  lamina_metrics_table_set_color_metric (table, LAMINA_METRIC_SQNR);
  values = lamina_metrics_table_node_values (table, FALSE, &lo, &hi);
  g_assert_nonnull (values);
  g_assert_nonnull (worst->pair->flt->producer);
  g_assert_cmpfloat (*(double *) g_hash_table_lookup (values, worst->pair->flt->producer), ==, worst->metrics.sqnr_db);
  g_assert_cmpfloat (lo, ==, worst->metrics.sqnr_db);
  g_assert_cmpfloat (hi, >, lo);
  g_clear_pointer (&values, g_hash_table_unref);
  /* and the fixed graph: the producer of the fixed tensor */
  values = lamina_metrics_table_node_values (table, TRUE, &lo, &hi);
  g_assert_nonnull (g_hash_table_lookup (values, worst->pair->fixed->producer));
  lamina_metrics_table_set_color_metric (table, LAMINA_METRIC_NONE);
  g_assert_null (lamina_metrics_table_node_values (table, FALSE, &lo, &hi));

  lamina_test_spin_until (has_scene, view, 60);
  lamina_metrics_table_set_color_metric (table, LAMINA_METRIC_SQNR);
  lamina_metrics_table_apply_to_graph (table, view, FALSE);
  g_assert_true (lamina_graph_view_has_node_metric (view));
  g_assert_cmpfloat (lamina_graph_view_get_box_metric (view, lamina_graph_view_find_box (view, worst->pair->flt->producer)),
                     ==, worst->metrics.sqnr_db);
  gtk_column_view_sort_by_column (columns, column_titled (columns, "SQNR (dB)"), GTK_SORT_ASCENDING);
  check_order (table, c, LAMINA_METRIC_SQNR);
  lamina_graph_view_select_node (view, worst->pair->flt->producer);
  lamina_metrics_table_select_tensor (table, worst->pair->flt);
  shot = picture (window, "metrics-table");
  lamina_metrics_table_set_color_metric (table, LAMINA_METRIC_NONE);
  lamina_metrics_table_apply_to_graph (table, view, FALSE);
  g_assert_false (lamina_graph_view_has_node_metric (view));

  lamina_metrics_table_set_layers (table, NULL, NULL);
  g_assert_cmpuint (lamina_metrics_table_get_n_layers (table), ==, 0);
  gtk_window_destroy (window);
}

/* ---- histogram-pair ------------------------------------------------------------------- */

static gboolean
view_idle (gpointer data)
{
  return !lamina_tensor_view_is_busy (data);
}

/* n float values evenly over [a, b] and their int8 quantization with
 * (scale, zero point); returns how many saturate. */
static guint
make_pair (LaminaValue *flt, LaminaValue *fixed, guint n, float a, float b, float scale, int zp)
{
  gint64 dims[] = { 1, 1, 1, n };
  guint clipped = 0;

  g_assert_true (lamina_value_set_shape (flt, LAMINA_DTYPE_FLOAT32, 4, dims, NULL) && lamina_value_alloc (flt, NULL));
  g_assert_true (lamina_value_set_shape (fixed, LAMINA_DTYPE_INT8, 4, dims, NULL) && lamina_value_alloc (fixed, NULL));
  for (guint i = 0; i < n; i++)
    {
      float f = a + (b - a) * i / (n - 1);
      double level = nearbyint (f / scale) + zp;
      LAMINA_VALUE_F32 (flt)[i] = f;
      ((gint8 *) fixed->data)[i] = (gint8) CLAMP (level, -128, 127);
      clipped += level < -128 || level > 127;
    }
  return clipped;
}

static const char *
compare_text (LaminaTensorView *view)
{
  GtkWidget *label = lamina_test_template_child (GTK_WIDGET (view), LAMINA_TYPE_TENSOR_VIEW, "compare_label");

  g_assert_true (gtk_widget_get_visible (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

static void
test_histogram_pair (void)
{
  g_autoptr(LaminaQuant) q = lamina_quant_new (-1, 1);
  g_autoptr(GdkTexture) shot = NULL;
  g_autofree char *want = NULL;
  LaminaTensor t = { .name = (char *) "conv_out_quantized", .dtype = LAMINA_DTYPE_INT8 };
  LaminaValue flt = { 0 }, fixed = { 0 };
  LaminaTensorView *view;
  GtkWindow *window;
  guint clipped;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!lamina_test_need_display ())
    return;
  view = LAMINA_TENSOR_VIEW (lamina_tensor_view_new ());
  window = new_window (GTK_WIDGET (view), 380, 700);
  /* range [−64, 191]·4/255 ≈ [−1.00, 3.00]; values over [−1.5, 5]: both
   * ends clip, about 38 % */
  q->scale[0] = 4.0f / 255;
  q->zero_point[0] = -64;
  clipped = make_pair (&flt, &fixed, 6000, -1.5, 5, q->scale[0], -64);
  g_assert_cmpuint (clipped, >, 2200);
  lamina_tensor_view_show_pair (view, &t, &fixed, q, &flt, FALSE);
  g_assert_null (flt.data);   /* taken over */
  g_assert_true (lamina_tensor_view_is_pair (view));
  lamina_test_spin_until (view_idle, view, 30);
  want = g_strdup_printf ("%s %% of float values clipped",
                          g_ascii_formatd (buf, sizeof buf, "%.2f", 100.0 * clipped / 6000));
  g_test_message ("%s", compare_text (view));
  g_assert_nonnull (strstr (compare_text (view), want));
  g_assert_nonnull (strstr (compare_text (view), "Quantization range [-1.00392, 2.99608]"));
  g_assert_nonnull (strstr (compare_text (view), "0.00 % of the range unused"));
  shot = picture (window, "histogram-clipped");
  g_clear_object (&shot);

  /* values over [−0.5, 0.5] only: nothing clips, three quarters unused */
  clipped = make_pair (&flt, &fixed, 6000, -0.5, 0.5, q->scale[0], -64);
  g_assert_cmpuint (clipped, ==, 0);
  lamina_tensor_view_show_pair (view, &t, &fixed, q, &flt, FALSE);
  lamina_test_spin_until (view_idle, view, 30);
  g_test_message ("%s", compare_text (view));
  g_assert_nonnull (strstr (compare_text (view), "0.00 % of float values clipped"));
  g_assert_nonnull (strstr (compare_text (view), "75.00 % of the range unused"));
  shot = picture (window, "histogram-unused");

  /* a plain show leaves compare mode */
  make_pair (&flt, &fixed, 10, 0, 1, q->scale[0], 0);
  lamina_tensor_view_show (view, &t, &fixed, FALSE, NULL);
  lamina_value_clear (&flt);
  lamina_test_spin_until (view_idle, view, 30);
  g_assert_false (lamina_tensor_view_is_pair (view));
  g_assert_false (gtk_widget_get_visible (lamina_test_template_child (GTK_WIDGET (view), LAMINA_TYPE_TENSOR_VIEW,
                                                                          "compare_label")));
  gtk_window_destroy (window);
}

/* ---- suggest-panel ---------------------------------------------------------------------------- */

typedef struct {
  LaminaSuggestPanel *panel;
  char               *path;
  double              before, after;
  guint               n_done, n_failed;
} Requantized;

static void
on_requantized (LaminaSuggestPanel *panel, const char *path, double before, double after, Requantized *r)
{
  g_free (r->path);
  r->path = g_strdup (path);
  r->before = before;
  r->after = after;
  r->n_done++;
}

static void
on_failed (LaminaSuggestPanel *panel, const char *message, Requantized *r)
{
  g_test_message ("failed: %s", message);
  r->n_failed++;
}

static gboolean
panel_idle (gpointer data)
{
  return !lamina_suggest_panel_is_busy (data);
}

/* panel_idle within timeout_s; if not, says what the panel shows before
 * failing (the Cancel wait once hung under heavy load, never reproduced:
 * this is what the next failure should tell). */
static void
wait_panel_idle (LaminaSuggestPanel *panel, guint timeout_s)
{
  if (!lamina_test_spin (panel_idle, panel, timeout_s))
    {
      GtkWidget *label = lamina_test_template_child (panel, LAMINA_TYPE_SUGGEST_PANEL, "progress_label");
      g_test_message ("still busy after %u s; progress: “%s”", timeout_s, gtk_label_get_text (GTK_LABEL (label)));
    }
  g_assert_true (panel_idle (panel));
}

/* Past reading the folder (the worker reports an image), or done. The
 * progress label is polled every PROGRESS_POLL_MS: under load the whole
 * calibration can pass between two polls, so "Measuring" counts too (CI
 * once waited 60 s for a "Calibrating" that was never shown). */
static gboolean
panel_progressing (gpointer data)
{
  GtkWidget *label = lamina_test_template_child (data, LAMINA_TYPE_SUGGEST_PANEL, "progress_label");
  const char *text = gtk_label_get_text (GTK_LABEL (label));

  return strstr (text, "Calibrating") != NULL || strstr (text, "Measuring") != NULL || panel_idle (data);
}

static void
test_suggest_panel (void)
{
  g_autofree char *path = NULL, *bus = NULL, *dog = NULL;
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "yolo-mixed.onnx", NULL);
  g_autoptr(GdkTexture) shot = NULL;
  g_autoptr(LaminaModel) written = NULL;
  g_autoptr(GError) error = NULL;
  const LaminaSuggestResult *result;
  LaminaSuggestPanel *panel;
  GtkWindow *window;
  Requantized r = { 0 };
  guint n_checked = 0;

  if (!lamina_test_need_display () || (path = lamina_test_shared_model ("yolo-fastestv2-coco-352.onnx")) == NULL ||
      (bus = lamina_test_shared_image ("bus.jpg")) == NULL || (dog = lamina_test_shared_image ("dog.jpg")) == NULL)
    return;
  panel = LAMINA_SUGGEST_PANEL (lamina_suggest_panel_new ());
  window = new_window (GTK_WIDGET (panel), 560, 900);
  g_signal_connect (panel, "requantized", G_CALLBACK (on_requantized), &r);
  g_signal_connect (panel, "failed", G_CALLBACK (on_failed), &r);
  lamina_suggest_panel_set_model (panel, path);
  lamina_suggest_panel_set_calibration (panel, (const char *const[]) { bus, dog, NULL });
  lamina_suggest_panel_set_eval_image (panel, bus);
  lamina_suggest_panel_set_candidates (panel, 3);
  g_assert_true (g_str_has_suffix (lamina_suggest_panel_get_output (panel), "yolo-fastestv2-coco-352-mixed.onnx"));
  lamina_suggest_panel_set_output (panel, out);

  /* Cancel: the panel comes back idle, without results or a failure */
  lamina_suggest_panel_start (panel);
  g_assert_true (lamina_suggest_panel_is_busy (panel));
  lamina_test_spin_until (panel_progressing, panel, 60);
  if (panel_idle (panel))
    /* finished within one poll: nothing left to cancel */
    g_test_message ("the measurement finished before Cancel could be pressed");
  else
    {
      lamina_suggest_panel_cancel (panel);
      wait_panel_idle (panel, 60);
      g_assert_null (lamina_suggest_panel_get_result (panel));
    }
  g_assert_cmpuint (r.n_failed, ==, 0);

  lamina_suggest_panel_start (panel);
  lamina_test_spin_until (panel_idle, panel, 600);
  g_assert_cmpuint (r.n_failed, ==, 0);
  result = lamina_suggest_panel_get_result (panel);
  g_assert_nonnull (result);
  g_assert_cmpuint (result->suggestions->len, ==, 3);
  g_test_message ("base %.3f dB", result->base_sqnr_db);
  for (guint i = 0; i < result->suggestions->len; i++)
    {
      const LaminaSuggestion *s = &g_array_index (result->suggestions, LaminaSuggestion, i);
      g_test_message ("  %s as %s: %.3f dB (layer %.3f dB)", s->layer,
                      s->precision == LAMINA_PRECISION_INT16 ? "int16" : "float", s->sqnr_db, s->layer_sqnr_db);
      /* rows with a visible gain start checked */
      g_assert_cmpint (lamina_suggest_panel_get_checked (panel, i), ==, s->sqnr_db - result->base_sqnr_db >= 0.005);
      n_checked += lamina_suggest_panel_get_checked (panel, i);
    }
  /* the suggestion measurably helps on this model (README: 30.84 → 31.36 dB) */
  g_assert_cmpuint (n_checked, >, 0);
  shot = picture (window, "suggest-panel-measured");
  g_clear_object (&shot);

  /* only the best one: apply must reproduce its own measurement */
  for (guint i = 1; i < result->suggestions->len; i++)
    lamina_suggest_panel_set_checked (panel, i, FALSE);
  lamina_suggest_panel_apply (panel);
  lamina_test_spin_until (panel_idle, panel, 600);
  g_assert_cmpuint (r.n_failed, ==, 0);
  g_assert_cmpuint (r.n_done, ==, 1);
  g_assert_cmpstr (r.path, ==, out);
  g_assert_cmpfloat (r.before, ==, result->base_sqnr_db);
  g_assert_cmpfloat_with_epsilon (r.after, g_array_index (result->suggestions, LaminaSuggestion, 0).sqnr_db, 1e-6);
  g_assert_cmpfloat (r.after, >, r.before);
  written = lamina_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (written);
  shot = picture (window, "suggest-panel-applied");
  gtk_window_destroy (window);
  g_free (r.path);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* the templates live in the app's static library: referencing the
   * resource keeps the linker from dropping the object registering them */
  (void) lamina_get_resource ();
  if (lamina_test_gui_init ())
    adw_init ();
  /* to look at the dark style too */
  if (gdk_display_get_default () != NULL && g_getenv ("LAMINA_TEST_DARK") != NULL)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_test_add_func ("/lamina/compare-widgets/graph-metric", test_graph_metric);
  g_test_add_func ("/lamina/compare-widgets/metrics-table", test_metrics_table);
  g_test_add_func ("/lamina/compare-widgets/histogram-pair", test_histogram_pair);
  g_test_add_func ("/lamina/compare-widgets/suggest-panel", test_suggest_panel);
  return g_test_run ();
}
