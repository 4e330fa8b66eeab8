/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-render: exports of a laid-out graph. SVG output is parsed back with
 * librsvg; PNG and PDF are checked by signature and size; a failed export
 * must leave an existing file untouched (temp file + rename).
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include <cairo.h>
#include <librsvg/rsvg.h>
#include "lamina-model-load.h"
#include "layout/lamina-layout.h"
#include "render/lamina-colormap.h"
#include "render/lamina-render.h"
#include "graph/lamina-op-info.h"
#include "lamina-test-util.h"

static LaminaLayout *
layout_shared (const char *name, LaminaModel **model_out)
{
  g_autofree char *path = lamina_test_shared_model (name);
  g_autoptr(GError) error = NULL;
  LaminaLayoutOptions options;
  LaminaLayout *layout;

  if (path == NULL)
    return NULL;
  *model_out = lamina_model_load (path, &error);
  g_assert_no_error (error);
  lamina_render_layout_options (&options);
  layout = lamina_layout_compute ((*model_out)->graph, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return layout;
}

/* The colour at (x, y) of an RGB24 image surface, as 0..255 channels. */
static void
pixel_at (cairo_surface_t *img, double x, double y, int rgb[3])
{
  const guint8 *data = cairo_image_surface_get_data (img);
  int stride = cairo_image_surface_get_stride (img);
  guint32 px = *(const guint32 *) (data + (int) y * stride + 4 * (int) x);

  rgb[0] = (px >> 16) & 0xff;
  rgb[1] = (px >> 8) & 0xff;
  rgb[2] = px & 0xff;
}

/* Every box of the layout is in the SVG: librsvg draws the file back and
 * each node's header shows its category colour, each pill its fill. */
static void
assert_every_box_drawn (RsvgHandle *handle, const LaminaLayout *layout, double w, double h)
{
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) w, (int) h);
  cairo_t *cr = cairo_create (img);
  RsvgRectangle viewport = { 0, 0, w, h };
  g_autoptr(GError) error = NULL;
  guint checked = 0;

  g_assert_true (rsvg_handle_render_document (handle, cr, &viewport, &error));
  g_assert_no_error (error);
  cairo_surface_flush (img);
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      double r = 0.933, g = 0.933, b = 0.933;  /* pill #eee */
      int rgb[3];
      /* 20 = export margin; sample left of the title, below the corner arc */
      pixel_at (img, box->rect.x + 20 + 3, box->rect.y + 20 + box->rect.height / 2 - (box->kind == LAMINA_BOX_NODE ? box->rect.height / 2 - box->header_height + 4 : 0), rgb);
      if (box->kind == LAMINA_BOX_NODE)
        lamina_op_category_color (lamina_op_category (box->title), &r, &g, &b);
      else
        pixel_at (img, box->rect.x + 20 + box->rect.height / 2, box->rect.y + 20 + box->rect.height - 3, rgb);
      g_assert_cmpint (ABS (rgb[0] - (int) (r * 255 + 0.5)), <=, 3);
      g_assert_cmpint (ABS (rgb[1] - (int) (g * 255 + 0.5)), <=, 3);
      g_assert_cmpint (ABS (rgb[2] - (int) (b * 255 + 0.5)), <=, 3);
      checked++;
    }
  g_assert_cmpuint (checked, ==, layout->boxes->len);
  cairo_destroy (cr);
  cairo_surface_destroy (img);
}

static void
test_svg_parses (void)
{
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaLayout) layout = layout_shared ("yolo-fastestv2-coco-352.onnx", &model);
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "graph.svg", NULL);
  g_autoptr(GError) error = NULL;
  RsvgHandle *handle;
  double w = 0, h = 0;

  if (layout == NULL)
    return;
  g_assert_true (lamina_render_export (layout, out, &error));
  g_assert_no_error (error);
  handle = rsvg_handle_new_from_file (out, &error);
  g_assert_no_error (error);
  g_assert_true (rsvg_handle_get_intrinsic_size_in_pixels (handle, &w, &h));
  /* the page is the layout plus a 20-unit margin on each side */
  g_assert_cmpfloat_with_epsilon (w, layout->width + 40, 1.0);
  g_assert_cmpfloat_with_epsilon (h, layout->height + 40, 1.0);
  /* one box per node: 313 nodes − 59 folded Constants, plus two pills */
  g_assert_cmpuint (layout->boxes->len, ==, 313 - 59 + 2);
  assert_every_box_drawn (handle, layout, w, h);
  g_object_unref (handle);
}

static void
test_png_and_pdf (void)
{
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaLayout) layout = layout_shared ("ultraface-slim-320.onnx", &model);
  g_autofree char *png = g_build_filename (lamina_test_tmpdir (), "graph.PNG", NULL);
  g_autofree char *pdf = g_build_filename (lamina_test_tmpdir (), "graph.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize size = 0;
  cairo_surface_t *img;

  if (layout == NULL)
    return;
  g_assert_true (lamina_render_export (layout, png, &error));
  g_assert_no_error (error);
  img = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (img), >, 100);
  cairo_surface_destroy (img);
  g_assert_true (lamina_render_export (layout, pdf, &error));
  g_assert_true (g_file_get_contents (pdf, &contents, &size, NULL));
  g_assert_cmpmem (contents, 4, "%PDF", 4);
}

static void
test_failed_export_keeps_file (void)
{
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaLayout) layout = layout_shared ("ultraface-slim-320.onnx", &model);
  g_autofree char *out = g_build_filename (lamina_test_tmpdir (), "keep.svg", NULL);
  g_autofree char *bad = g_build_filename (lamina_test_tmpdir (), "no-such-dir", "x.svg", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  if (layout == NULL)
    return;
  g_assert_true (g_file_set_contents (out, "old", -1, NULL));
  g_assert_false (lamina_render_export (layout, bad, &error));
  g_assert_error (error, LAMINA_RENDER_ERROR, LAMINA_RENDER_ERROR_WRITE);
  g_clear_error (&error);
  /* an unknown extension fails before anything is written */
  g_assert_false (lamina_render_export (layout, "graph.bmp", &error));
  g_assert_error (error, LAMINA_RENDER_ERROR, LAMINA_RENDER_ERROR_FORMAT);
  g_assert_true (g_file_get_contents (out, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
}

static void
assert_pixel (cairo_surface_t *img, double x, double y, const double rgb[3])
{
  int px[3];

  pixel_at (img, x, y, px);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (ABS (px[c] - (int) (rgb[c] * 255 + 0.5)), <=, 2);
}

/* Metric colouring: the worst value gets the bright end of inferno, the
 * best the dark end, a value in between its own colour, a node without a
 * value the neutral grey; pills keep their fill. */
static void
test_metric_colours (void)
{
  g_autofree char *path = lamina_test_source_file ("tests", "data", "sim-tiny.onnx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = lamina_model_load (path, &error);
  g_autoptr(LaminaLayout) layout = NULL;
  g_autofree double *values = NULL;
  LaminaLayoutOptions lo;
  LaminaRenderOptions o;
  cairo_surface_t *img;
  cairo_t *cr;
  guint n_nodes = 0;

  g_assert_no_error (error);
  lamina_render_layout_options (&lo);
  layout = lamina_layout_compute (model->graph, &lo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  values = g_new (double, layout->boxes->len);
  /* SQNR-like: 5 dB worst, 45 dB best; node k gets 5, 45, 25, then none */
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      values[i] = NAN;
      if (box->kind == LAMINA_BOX_NODE && n_nodes < 3)
        values[i] = (double[]) { 5, 45, 25 }[n_nodes++];
    }
  g_assert_cmpuint (n_nodes, ==, 3);
  lamina_render_options_init (&o);
  o.metric = values;
  o.n_metric = layout->boxes->len;
  o.metric_worst = 5;
  o.metric_best = 45;
  img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) layout->width + 40, (int) layout->height + 40);
  cr = cairo_create (img);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, 20, 20);
  lamina_render_graph (cr, layout, &o);
  cairo_destroy (cr);
  cairo_surface_flush (img);
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      double rgb[3];
      /* in the header above its text (title and value), below the border */
      double x = 20 + box->rect.x + box->rect.width / 2, y = 20 + box->rect.y + 2.5;
      if (box->kind != LAMINA_BOX_NODE)
        continue;
      if (!isnan (values[i]))
        lamina_colormap_inferno ((45 - values[i]) / 40, rgb);
      else
        lamina_render_no_metric_color (FALSE, rgb);
      assert_pixel (img, x, y, rgb);
    }
  cairo_surface_destroy (img);
}

static void
test_metric_helpers (void)
{
  g_autofree char *a = lamina_render_format_metric (12.3456, "dB");
  g_autofree char *b = lamina_render_format_metric (0.99987, NULL);
  g_autofree char *c = lamina_render_format_metric (INFINITY, "dB");
  double rgb[3], dark[3];

  g_assert_cmpstr (a, ==, "12.35 dB");
  g_assert_cmpstr (b, ==, "0.9999");
  g_assert_cmpstr (c, ==, "∞ dB");
  /* lower is worse (SQNR) and higher is worse (MSE) */
  g_assert_cmpfloat (lamina_render_metric_position (5, 5, 45), ==, 1);
  g_assert_cmpfloat (lamina_render_metric_position (45, 5, 45), ==, 0);
  g_assert_cmpfloat (lamina_render_metric_position (35, 5, 45), ==, 0.25);
  g_assert_cmpfloat (lamina_render_metric_position (INFINITY, 5, 45), ==, 0);
  g_assert_cmpfloat_with_epsilon (lamina_render_metric_position (0.3, 0.4, 0), 0.75, 1e-12);
  g_assert_cmpfloat (lamina_render_metric_position (7, 3, 3), ==, 0.5);
  g_assert_true (isnan (lamina_render_metric_position (NAN, 0, 1)));
  /* inferno's ends; dark text only on the bright end */
  lamina_colormap_inferno (1, rgb);
  lamina_colormap_inferno (0, dark);
  g_assert_cmpfloat_with_epsilon (rgb[0], 252 / 255.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (dark[2], 4 / 255.0, 1e-9);
  g_assert_true (lamina_colormap_wants_dark_text (rgb));
  g_assert_false (lamina_colormap_wants_dark_text (dark));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/render/svg-parses", test_svg_parses);
  g_test_add_func ("/lamina/render/png-and-pdf", test_png_and_pdf);
  g_test_add_func ("/lamina/render/failed-export-keeps-file", test_failed_export_keeps_file);
  g_test_add_func ("/lamina/render/metric-colours", test_metric_colours);
  g_test_add_func ("/lamina/render/metric-helpers", test_metric_helpers);
  return g_test_run ();
}
