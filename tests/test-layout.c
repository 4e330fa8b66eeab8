/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-layout: the layered layout. Hand-built graphs check what is drawn
 * (boxes, folded constants as rows, pills, edges, dummies); every shared
 * model and a generated 10,000-node model check the geometric invariants
 * (no overlapping boxes, edges run downwards from the bottom of their source
 * to the top of their target and never through another box).
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include <gio/gio.h>
#include "lamina-model-load.h"
#include "layout/lamina-layout.h"
#include "lamina-test-util.h"

/* Builds a graph from lines "Op: in,in -> out,out"; tensor names starting
 * with '#' are float32 constants of shape [4,3] with data; the first line
 * "inputs: a,b" and the last "outputs: y" name the graph's inputs and
 * outputs. */
static LaminaGraph *
graph_from_spec (const char *spec)
{
  LaminaGraph *g = lamina_graph_new ("test");
  g_auto(GStrv) lines = g_strsplit (spec, "\n", -1);
  static const float zeros[12];
  const gint64 dims[] = { 4, 3 };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (lines[i], ":", 2);
      g_auto(GStrv) sides = NULL;
      LaminaNode *node;
      if (parts[0] == NULL || parts[1] == NULL)
        continue;
      if (strcmp (parts[0], "inputs") == 0 || strcmp (parts[0], "outputs") == 0)
        {
          g_auto(GStrv) names = g_strsplit (g_strstrip (parts[1]), ",", -1);
          for (guint k = 0; names[k]; k++)
            g_ptr_array_add (parts[0][0] == 'i' ? g->inputs : g->outputs,
                             lamina_graph_ensure_tensor (g, names[k]));
          continue;
        }
      node = lamina_graph_add_node (g, parts[0], parts[0], "");
      sides = g_strsplit (parts[1], "->", 2);
      for (int side = 0; side < 2; side++)
        {
          g_auto(GStrv) names = g_strsplit (g_strstrip (sides[side]), ",", -1);
          for (guint k = 0; names[k] && names[k][0]; k++)
            {
              LaminaTensor *t = lamina_graph_ensure_tensor (g, names[k]);
              if (names[k][0] == '#' && t->data == NULL)
                {
                  t->is_constant = TRUE;
                  t->dtype = LAMINA_DTYPE_FLOAT32;
                  lamina_shape_set (&t->shape, 2, dims);
                  t->data = g_bytes_new_static (zeros, sizeof zeros);
                }
              if (side == 0)
                lamina_node_add_input (node, t);
              else
                lamina_node_add_output (node, t);
            }
        }
    }
  g_assert_true (lamina_graph_link (g, &error));
  g_assert_no_error (error);
  return g;
}

static const LaminaBox *
box_at (const LaminaLayout *layout, guint i)
{
  return &g_array_index (layout->boxes, LaminaBox, i);
}

static const LaminaEdge *
edge_at (const LaminaLayout *layout, guint i)
{
  return &g_array_index (layout->edges, LaminaEdge, i);
}

static gboolean
rects_overlap (const LaminaRect *a, const LaminaRect *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width &&
         a->y < b->y + b->height && b->y < a->y + a->height;
}

static gboolean
point_inside (const LaminaRect *r, double x, double y)
{
  /* strictly inside, with a 1-unit margin for ports on the border */
  return x > r->x + 1 && x < r->x + r->width - 1 && y > r->y + 1 && y < r->y + r->height - 1;
}

/* The invariants every layout must satisfy. Boxes of one layer share a
 * band of y, so overlaps only need checking between neighbours in x. */
static void
assert_layout_sane (const LaminaLayout *layout)
{
  g_autoptr(GHashTable) by_layer = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *b = box_at (layout, i);
      GPtrArray *layer = g_hash_table_lookup (by_layer, GINT_TO_POINTER (b->layer));
      g_assert_cmpfloat (b->rect.x, >=, -0.01);
      g_assert_cmpfloat (b->rect.y, >=, -0.01);
      g_assert_cmpfloat (b->rect.x + b->rect.width, <=, layout->width + 0.01);
      g_assert_cmpfloat (b->rect.y + b->rect.height, <=, layout->height + 0.01);
      if (layer == NULL)
        g_hash_table_insert (by_layer, GINT_TO_POINTER (b->layer), layer = g_ptr_array_new ());
      g_ptr_array_add (layer, (gpointer) b);
    }
  g_hash_table_iter_init (&iter, by_layer);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *layer = value;
      for (guint i = 0; i < layer->len; i++)
        for (guint k = i + 1; k < layer->len && k < i + 64; k++)
          g_assert_false (rects_overlap (&((LaminaBox *) layer->pdata[i])->rect,
                                         &((LaminaBox *) layer->pdata[k])->rect));
    }
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = edge_at (layout, i);
      const LaminaBox *from = box_at (layout, e->from), *to = box_at (layout, e->to);
      g_assert_cmpuint (e->n_points, >=, 2);
      g_assert_cmpint (from->layer, <, to->layer);
      g_assert_cmpfloat_with_epsilon (e->points[1], from->rect.y + from->rect.height, 0.01);
      g_assert_cmpfloat_with_epsilon (e->points[2 * e->n_points - 1], to->rect.y, 0.01);
      for (guint p = 1; p < e->n_points; p++)
        g_assert_cmpfloat (e->points[2 * p + 1], >=, e->points[2 * p - 1]);
    }
}

/* Interior points of edges (through dummies) never lie inside a box. */
static void
assert_edges_avoid_boxes (const LaminaLayout *layout)
{
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = edge_at (layout, i);
      for (guint p = 1; p + 1 < e->n_points; p++)
        {
          int hit = lamina_layout_hit_box (layout, e->points[2 * p], e->points[2 * p + 1]);
          if (hit >= 0)
            g_assert_false (point_inside (&box_at (layout, hit)->rect, e->points[2 * p], e->points[2 * p + 1]));
        }
    }
}

static void
test_table_sorted (void)
{
  g_assert_true (lamina_layout_input_names_sorted ());
}

/* input → Conv(W, B) → Relu → output, with a Constant node feeding Add */
static void
test_boxes_rows_pills (void)
{
  g_autoptr(LaminaGraph) g = graph_from_spec (
    "inputs: x\n"
    "Conv: x,#w,#b -> c\n"
    "Relu: c -> r\n"
    "Constant: -> k\n"
    "Add: r,k -> y\n"
    "outputs: y");
  g_autoptr(LaminaLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  const LaminaBox *conv;

  /* the Constant node's output is a constant, as the ONNX loader marks it */
  lamina_graph_lookup_tensor (g, "k")->is_constant = TRUE;
  layout = lamina_layout_compute (g, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* x pill, Conv, Relu, Add, y pill: the Constant is folded */
  g_assert_cmpuint (layout->boxes->len, ==, 5);
  g_assert_cmpuint (layout->edges->len, ==, 4);
  g_assert_cmpint (box_at (layout, 0)->kind, ==, LAMINA_BOX_INPUT);
  g_assert_cmpint (box_at (layout, 4)->kind, ==, LAMINA_BOX_OUTPUT);
  g_assert_cmpint (lamina_layout_box_for_node (layout, g_ptr_array_index (g->nodes, 2)), ==, -1);
  conv = box_at (layout, lamina_layout_box_for_node (layout, g_ptr_array_index (g->nodes, 0)));
  g_assert_cmpstr (conv->title, ==, "Conv");
  g_assert_cmpuint (conv->rows->len, ==, 2);
  g_assert_cmpstr (g_array_index (conv->rows, LaminaBoxRow, 0).label, ==, "W");
  g_assert_cmpstr (g_array_index (conv->rows, LaminaBoxRow, 0).value, ==, "⟨4×3⟩");
  g_assert_cmpstr (g_array_index (conv->rows, LaminaBoxRow, 1).label, ==, "B");
  g_assert_cmpuint (box_at (layout, 3)->rows->len, ==, 1);
  g_assert_cmpstr (g_array_index (box_at (layout, 3)->rows, LaminaBoxRow, 0).label, ==, "B");
  /* a chain: one box per layer, top to bottom */
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (box_at (layout, i)->layer, ==, i);
  /* rows make the box taller than a bare header */
  g_assert_cmpfloat (conv->rect.height, >, box_at (layout, 2)->rect.height);
  assert_layout_sane (layout);
}

/* A skip connection spanning three layers goes around the middle boxes. */
static void
test_long_edge_gets_dummies (void)
{
  g_autoptr(LaminaGraph) g = graph_from_spec (
    "inputs: x\n"
    "Relu: x -> a\n"
    "Sigmoid: a -> b\n"
    "Tanh: b -> c\n"
    "Add: x,c -> y\n"
    "outputs: y");
  g_autoptr(LaminaLayout) layout = lamina_layout_compute (g, NULL, NULL, NULL, NULL, NULL);
  gboolean found = FALSE;

  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = edge_at (layout, i);
      if (e->from == 0 && box_at (layout, e->to)->node != NULL &&
          strcmp (box_at (layout, e->to)->title, "Add") == 0)
        {
          /* Relu, Sigmoid and Tanh layers crossed: two points per dummy */
          g_assert_cmpuint (e->n_points, ==, 2 + 2 * 3);
          found = TRUE;
        }
    }
  g_assert_true (found);
  assert_layout_sane (layout);
  assert_edges_avoid_boxes (layout);
}

/* Two crossing-prone branches: the order step must untangle them. */
static void
test_no_needless_crossings (void)
{
  g_autoptr(LaminaGraph) g = graph_from_spec (
    "inputs: x\n"
    "Split: x -> a,b\n"
    "Relu: b -> c\n"
    "Sigmoid: a -> d\n"
    "Exp: c -> e\n"
    "Log: d -> f\n"
    "Add: e,f -> y\n"
    "outputs: y");
  g_autoptr(LaminaLayout) layout = lamina_layout_compute (g, NULL, NULL, NULL, NULL, NULL);

  /* Relu→Exp and Sigmoid→Log must not cross: compare x order per layer */
  for (guint i = 0; i < layout->edges->len; i++)
    for (guint k = i + 1; k < layout->edges->len; k++)
      {
        const LaminaEdge *a = edge_at (layout, i), *b = edge_at (layout, k);
        double a0 = a->points[0], a1 = a->points[2 * a->n_points - 2];
        double b0 = b->points[0], b1 = b->points[2 * b->n_points - 2];
        if (box_at (layout, a->from)->layer != box_at (layout, b->from)->layer ||
            a->from == b->from || a->to == b->to)
          continue;
        g_assert_true ((a0 < b0) == (a1 < b1));
      }
  assert_layout_sane (layout);
}

static void
test_hit_testing (void)
{
  g_autoptr(LaminaGraph) g = graph_from_spec ("inputs: x\nRelu: x -> y\noutputs: y");
  g_autoptr(LaminaLayout) layout = lamina_layout_compute (g, NULL, NULL, NULL, NULL, NULL);
  const LaminaBox *relu = box_at (layout, 1);
  const LaminaEdge *e = edge_at (layout, 0);
  double mx = (e->points[0] + e->points[2]) / 2, my = (e->points[1] + e->points[3]) / 2;

  g_assert_cmpint (lamina_layout_hit_box (layout, relu->rect.x + 2, relu->rect.y + 2), ==, 1);
  g_assert_cmpint (lamina_layout_hit_box (layout, -50, -50), ==, -1);
  g_assert_cmpint (lamina_layout_hit_edge (layout, mx, my, 3), ==, 0);
  g_assert_cmpint (lamina_layout_hit_edge (layout, mx + 40, my, 3), ==, -1);
}

typedef struct { double last; guint calls; gboolean monotonic; } Progress;

static void
on_progress (double fraction, const char *message, gpointer data)
{
  Progress *p = data;

  p->monotonic &= fraction >= p->last;
  p->last = fraction;
  p->calls++;
}

static void
test_progress_and_cancel (void)
{
  g_autoptr(LaminaGraph) g = graph_from_spec ("inputs: x\nRelu: x -> a\nExp: a -> y\noutputs: y");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Progress p = { 0, 0, TRUE };
  LaminaLayout *layout = lamina_layout_compute (g, NULL, on_progress, &p, NULL, NULL);

  g_assert_nonnull (layout);
  lamina_layout_free (layout);
  g_assert_true (p.monotonic);
  g_assert_cmpuint (p.calls, >=, 3);
  g_assert_cmpfloat (p.last, ==, 1.0);
  g_cancellable_cancel (cancellable);
  layout = lamina_layout_compute (g, NULL, NULL, NULL, cancellable, &error);
  g_assert_null (layout);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cycle_is_an_error (void)
{
  g_autoptr(LaminaGraph) g = graph_from_spec ("inputs: x\nAdd: x,b -> a\nRelu: a -> b\noutputs: b");
  g_autoptr(GError) error = NULL;

  g_assert_null (lamina_layout_compute (g, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
}

static LaminaLayout *
layout_file (const char *path, LaminaModel **model_out, double *ms)
{
  g_autoptr(GError) error = NULL;
  LaminaLayout *layout;
  gint64 start;

  *model_out = lamina_model_load (path, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  layout = lamina_layout_compute ((*model_out)->graph, NULL, NULL, NULL, NULL, &error);
  *ms = (g_get_monotonic_time () - start) / 1e3;
  g_assert_no_error (error);
  return layout;
}

/* Expected box counts: non-folded nodes + graph inputs + outputs, counted
 * with python3-onnx / flatc when the test was written (Constant nodes and
 * TFLite DEQUANTIZE of float16 weights are folded into rows). */
static void
test_shared_models (void)
{
  static const struct { const char *name; guint boxes; } models[] = {
    /* TFLite: operators − DEQUANTIZE of float16 weights + pills (the
     * operator histogram was checked against flatc's JSON dump) */
    { "blazeface-full-range.tflite", 354 - 178 + 1 + 2 },
    { "blazeface-short-range.tflite", 164 - 74 + 1 + 2 },
    { "yolov5n-fp16.tflite", 386 - 131 + 1 + 1 },
    { "yolov5n-int8.tflite", 281 + 1 + 1 },
    { "yolov5n-int8_edgetpu.tflite", 25 + 1 + 1 },
    /* ONNX: graph.node − Constant nodes + inputs + outputs (python3-onnx) */
    { "ppocrv4-det.onnx", 672 - 342 + 1 + 1 },
    { "ppocrv4-rec.onnx", 765 - 325 + 1 + 1 },
    { "ultraface-rfb-320.onnx", 242 - 31 + 1 + 2 },
    { "ultraface-slim-320.onnx", 217 - 31 + 1 + 2 },
    { "yolo-fastestv2-coco-352.onnx", 313 - 59 + 1 + 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *path = lamina_test_shared_model (models[i].name);
      g_autoptr(LaminaModel) model = NULL;
      g_autoptr(LaminaLayout) layout = NULL;
      double ms;
      if (path == NULL)
        return;
      layout = layout_file (path, &model, &ms);
      g_test_message ("%s: %u boxes, %u edges, %.0f×%.0f, layout %.1f ms", models[i].name,
                      layout->boxes->len, layout->edges->len, layout->width, layout->height, ms);
      g_assert_cmpuint (layout->boxes->len, ==, models[i].boxes);
      assert_layout_sane (layout);
      assert_edges_avoid_boxes (layout);
    }
}

/* The 10,000-node model of the layout benchmark, generated by
 * tests/gen-big-model.py (needs Debian's python3-onnx). Timing is reported,
 * never asserted. */
static void
test_ten_thousand_nodes (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "gen-big-model.py", NULL);
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "big.onnx", NULL);
  const char *argv[] = { "/usr/bin/python3", script, out, "10000", NULL };
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaLayout) layout = NULL;
  int status = 0;
  double ms;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("cannot generate the model: /usr/bin/python3 with python3-onnx is needed");
      return;
    }
  layout = layout_file (out, &model, &ms);
  g_test_message ("10,000 nodes: layout %.0f ms, %u edges, %.0f×%.0f", ms,
                  layout->edges->len, layout->width, layout->height);
  g_assert_cmpuint (model->graph->nodes->len, ==, 10000);
  /* one box per node, plus the input and output pills */
  g_assert_cmpuint (layout->boxes->len, ==, 10002);
  assert_layout_sane (layout);
  assert_edges_avoid_boxes (layout);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/layout/input-names-sorted", test_table_sorted);
  g_test_add_func ("/lamina/layout/boxes-rows-pills", test_boxes_rows_pills);
  g_test_add_func ("/lamina/layout/long-edge-dummies", test_long_edge_gets_dummies);
  g_test_add_func ("/lamina/layout/no-needless-crossings", test_no_needless_crossings);
  g_test_add_func ("/lamina/layout/hit-testing", test_hit_testing);
  g_test_add_func ("/lamina/layout/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/lamina/layout/cycle", test_cycle_is_an_error);
  g_test_add_func ("/lamina/layout/shared-models", test_shared_models);
  g_test_add_func ("/lamina/layout/ten-thousand-nodes", test_ten_thousand_nodes);
  return g_test_run ();
}
