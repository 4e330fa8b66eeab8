/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-render.c: draws a LaminaLayout with cairo + pango in Netron's look
 * (DESIGN.md "Netron's look"): rounded boxes with a 1 px #333 border, a
 * header filled by operator category with white 11 px text, white 9 px body
 * rows, #eee pills for graph inputs/outputs, curved 1 px edges with
 * arrowheads and 10 px shape labels.
 */
#define G_LOG_DOMAIN "lamina-render"

#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <string.h>
#include <glib/gstdio.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>
#include "lamina-render.h"
#include "lamina-colormap.h"
#include "graph/lamina-op-info.h"

G_DEFINE_QUARK (lamina-render-error-quark, lamina_render_error)

#define FONT_FAMILY "Sans"
#define BOX_RADIUS 5.0
#define TEXT_PAD 6.0
#define EXPORT_MARGIN 20.0
#define PNG_MAX_SIDE 16384.0
#define PNG_MAX_PIXELS 100e6

typedef struct { double r, g, b; } Rgb;

typedef struct {
  Rgb border, body, body_text, edge, edge_text, pill, pill_text, select, hover, background;
  Rgb done_body, done, next, unsupported;
  Rgb no_metric;   /* header of a node without a value in metric colouring */
} Palette;

static const Palette light = {
  { .2, .2, .2 }, { 1, 1, 1 }, { 0, 0, 0 }, { .2, .2, .2 }, { .2, .2, .2 },
  { .933, .933, .933 }, { 0, 0, 0 }, { .21, .52, .89 }, { .5, .5, .5 }, { 1, 1, 1 },
  { .90, .97, .91 }, { .15, .60, .30 }, { .96, .60, .05 }, { .85, .13, .13 },
  { .62, .62, .62 },
};
static const Palette dark = {
  { .75, .75, .75 }, { .17, .17, .17 }, { .9, .9, .9 }, { .7, .7, .7 }, { .75, .75, .75 },
  { .27, .27, .27 }, { .95, .95, .95 }, { .38, .63, .96 }, { .6, .6, .6 }, { .12, .12, .12 },
  { .13, .24, .16 }, { .35, .80, .45 }, { 1.0, .70, .20 }, { 1.0, .35, .35 },
  { .36, .36, .36 },
};

void
lamina_render_options_init (LaminaRenderOptions *o)
{
  memset (o, 0, sizeof *o);
  o->selected_box = -1;
  o->hovered_box = -1;
  o->selected_edge = -1;
  o->scale = 1.0;
}

double
lamina_render_metric_position (double value, double worst, double best)
{
  if (isnan (value))
    return NAN;
  if (worst == best)   /* one value, or all alike: the middle of the map */
    return 0.5;
  return CLAMP ((value - best) / (worst - best), 0.0, 1.0);
}

void
lamina_render_no_metric_color (gboolean is_dark, double rgb[3])
{
  const Rgb *c = &(is_dark ? &dark : &light)->no_metric;

  rgb[0] = c->r, rgb[1] = c->g, rgb[2] = c->b;
}

char *
lamina_render_format_metric (double value, const char *unit)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *number = isinf (value) ? (value > 0 ? "∞" : "−∞")
                                     : g_ascii_formatd (buf, sizeof buf, "%.4g", value);

  return unit && unit[0] ? g_strdup_printf ("%s %s", number, unit) : g_strdup (number);
}

/* ---- text -------------------------------------------------------------- */

/* One PangoLayout per thread, reused for every string: creating layouts
 * dominates the cost of measuring thousands of labels. */
static PangoLayout *
thread_layout (void)
{
  static GPrivate key = G_PRIVATE_INIT (g_object_unref);
  PangoLayout *layout = g_private_get (&key);

  if (layout == NULL)
    {
      PangoFontMap *map = pango_cairo_font_map_get_default ();
      PangoContext *context = pango_font_map_create_context (map);
      layout = pango_layout_new (context);
      g_object_unref (context);
      g_private_set (&key, layout);
    }
  return layout;
}

static void
set_font (PangoLayout *layout, double px, gboolean bold)
{
  PangoFontDescription *desc = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (desc, px * PANGO_SCALE);
  pango_font_description_set_weight (desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
}

double
lamina_render_measure_text (const char *text, double px, gboolean bold, gpointer user_data)
{
  PangoLayout *layout = thread_layout ();
  int w, h;

  set_font (layout, px, bold);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &w, &h);
  return (double) w / PANGO_SCALE;
}

void
lamina_render_layout_options (LaminaLayoutOptions *options)
{
  lamina_layout_options_init (options);
  options->measure = lamina_render_measure_text;
  options->measure_data = NULL;
}

/* Draws text with its top-left corner at (x, y). */
static void
draw_text (cairo_t *cr, const char *text, double x, double y, double px, gboolean bold, const Rgb *c)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);

  set_font (layout, px, bold);
  pango_layout_set_text (layout, text, -1);
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* ---- shapes ------------------------------------------------------------ */

static void
rounded_rect (cairo_t *cr, const LaminaRect *r, double radius)
{
  double x = r->x, y = r->y, w = r->width, h = r->height;

  radius = MIN (radius, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + w - radius, y + h - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + h - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static gboolean
rect_intersects (const LaminaRect *a, const LaminaRect *b)
{
  return b == NULL || (a->x < b->x + b->width && b->x < a->x + a->width &&
                       a->y < b->y + b->height && b->y < a->y + a->height);
}

/* The header of a node: its category colour, or in metric colouring the
 * colour of its value (text dark on the bright end of the map). */
static void
header_colors (const LaminaRenderOptions *o, const Palette *pal, guint index, const LaminaBox *box,
               Rgb *fill, Rgb *text)
{
  double rgb[3], t;

  *text = (Rgb) { 1, 1, 1 };
  if (o->metric == NULL)
    {
      lamina_op_category_color (lamina_op_category (box->title), &fill->r, &fill->g, &fill->b);
      return;
    }
  t = index < o->n_metric ? lamina_render_metric_position (o->metric[index], o->metric_worst, o->metric_best)
                          : NAN;
  if (isnan (t))
    {
      *fill = pal->no_metric;
      return;
    }
  lamina_colormap_inferno (t, rgb);
  *fill = (Rgb) { rgb[0], rgb[1], rgb[2] };
  if (lamina_colormap_wants_dark_text (rgb))
    *text = (Rgb) { 0, 0, 0 };
}

static void
draw_node (cairo_t *cr, const LaminaBox *box, const Palette *pal, const Rgb *body, const Rgb *fill,
           const Rgb *title, gboolean with_text)
{
  LaminaRect header = box->rect;

  /* body, then the header clipped to the rounded outline */
  rounded_rect (cr, &box->rect, BOX_RADIUS);
  cairo_set_source_rgb (cr, body->r, body->g, body->b);
  cairo_fill_preserve (cr);
  cairo_save (cr);
  cairo_clip (cr);
  header.height = box->header_height;
  cairo_rectangle (cr, header.x, header.y, header.width, header.height);
  cairo_set_source_rgb (cr, fill->r, fill->g, fill->b);
  cairo_fill (cr);
  cairo_restore (cr);
  if (with_text)
    {
      draw_text (cr, box->title, box->rect.x + TEXT_PAD, box->rect.y + 3, 11, FALSE, title);
      guint n_rows = box->rows ? box->rows->len : 0;
      /* rows share the body evenly: the layout sized it for them */
      double row_h = n_rows ? (box->rect.height - box->header_height) / n_rows : 0;
      for (guint i = 0; i < n_rows; i++)
        {
          const LaminaBoxRow *row = &g_array_index (box->rows, LaminaBoxRow, i);
          double y = box->rect.y + box->header_height + i * row_h + (row_h - 11) / 2;
          double w = lamina_render_measure_text (row->label, 9, TRUE, NULL);
          draw_text (cr, row->label, box->rect.x + TEXT_PAD, y, 9, TRUE, &pal->body_text);
          draw_text (cr, row->value, box->rect.x + TEXT_PAD + w + 3, y, 9, FALSE, &pal->body_text);
        }
    }
  rounded_rect (cr, &box->rect, BOX_RADIUS);
  cairo_set_source_rgb (cr, pal->border.r, pal->border.g, pal->border.b);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
}

static void
draw_pill (cairo_t *cr, const LaminaBox *box, const Palette *pal, gboolean with_text)
{
  rounded_rect (cr, &box->rect, box->rect.height / 2);
  cairo_set_source_rgb (cr, pal->pill.r, pal->pill.g, pal->pill.b);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, pal->border.r, pal->border.g, pal->border.b);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  if (with_text)
    draw_text (cr, box->title, box->rect.x + TEXT_PAD + 2, box->rect.y + 3, 11, FALSE, &pal->pill_text);
}

/* A smooth curve through the polyline: each segment is a cubic whose
 * control points sit at the vertical thirds, as dagre/Netron draw edges. */
static void
edge_path (cairo_t *cr, const LaminaEdge *e)
{
  const double *p = e->points;

  cairo_move_to (cr, p[0], p[1]);
  for (guint i = 1; i < e->n_points; i++)
    {
      double x0 = p[2 * i - 2], y0 = p[2 * i - 1], x1 = p[2 * i], y1 = p[2 * i + 1];
      double dy = (y1 - y0) / 2;
      cairo_curve_to (cr, x0, y0 + dy, x1, y1 - dy, x1, y1);
    }
}

static void
draw_arrowhead (cairo_t *cr, const LaminaEdge *e)
{
  guint n = e->n_points;
  double x = e->points[2 * n - 2], y = e->points[2 * n - 1];

  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x - 3.5, y - 8);
  cairo_line_to (cr, x + 3.5, y - 8);
  cairo_close_path (cr);
  cairo_fill (cr);
}

static void
draw_edge (cairo_t *cr, const LaminaEdge *e, const Rgb *c, double width, gboolean with_text, const Palette *pal)
{
  if (e->n_points < 2)
    return;
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
  cairo_set_line_width (cr, width);
  edge_path (cr, e);
  cairo_stroke (cr);
  draw_arrowhead (cr, e);
  if (with_text && e->label && e->label[0])
    draw_text (cr, e->label, e->label_x, e->label_y, 10, FALSE, &pal->edge_text);
}

static void
outline_box (cairo_t *cr, const LaminaBox *box, const Rgb *c, double width)
{
  LaminaRect r = { box->rect.x - 2, box->rect.y - 2, box->rect.width + 4, box->rect.height + 4 };

  rounded_rect (cr, &r, BOX_RADIUS + 2);
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
  cairo_set_line_width (cr, width);
  cairo_stroke (cr);
}

/* A check mark in a disc on the box's top-right corner, clear of the
 * title (narrow boxes such as "Relu" have no room inside). */
static void
draw_check (cairo_t *cr, const LaminaBox *box, const Rgb *c)
{
  double r = 5.5;
  double cx = box->rect.x + box->rect.width - 1, cy = box->rect.y + 1;

  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  cairo_move_to (cr, cx - r * 0.5, cy + r * 0.05);
  cairo_line_to (cr, cx - r * 0.12, cy + r * 0.45);
  cairo_line_to (cr, cx + r * 0.55, cy - r * 0.4);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, MAX (1.2, r * 0.3));
  cairo_stroke (cr);
}

/* Simulator state of a box: check, outlines and the label under it. */
static void
draw_mark (cairo_t *cr, const LaminaBox *box, const LaminaBoxMark *mark, const Palette *pal, gboolean with_text)
{
  if (mark->flags & LAMINA_BOX_MARK_DONE && box->kind == LAMINA_BOX_NODE)
    draw_check (cr, box, &pal->done);
  if (mark->flags & LAMINA_BOX_MARK_UNSUPPORTED)
    outline_box (cr, box, &pal->unsupported, 2);
  if (mark->flags & LAMINA_BOX_MARK_NEXT)
    outline_box (cr, box, &pal->next, 3);
  if (with_text && mark->label[0])
    {
      /* right-aligned under the box: the edges leave from its middle */
      double w = lamina_render_measure_text (mark->label, 9, FALSE, NULL);
      draw_text (cr, mark->label, box->rect.x + box->rect.width - w, box->rect.y + box->rect.height + 1,
                 9, FALSE, &pal->edge_text);
    }
}

/* The node's value in metric colouring: right-aligned in the header when
 * it fits beside the title, else just right of the header (edges enter
 * and leave boxes in the middle of their top and bottom, and their labels
 * sit above and below, so the side is free). */
static void
draw_metric_label (cairo_t *cr, const LaminaBox *box, const LaminaRenderOptions *o, guint index,
                   const Rgb *title, const Palette *pal)
{
  g_autofree char *text = NULL;
  double w, title_w, y;

  if (index >= o->n_metric || isnan (o->metric[index]))
    return;
  /* the unit is in the legend: short labels fit in more headers */
  text = lamina_render_format_metric (o->metric[index], NULL);
  w = lamina_render_measure_text (text, 9, TRUE, NULL);
  title_w = lamina_render_measure_text (box->title, 11, FALSE, NULL);
  y = box->rect.y + (box->header_height - 11) / 2 + 1;
  if (2 * TEXT_PAD + title_w + 8 + w <= box->rect.width)
    draw_text (cr, text, box->rect.x + box->rect.width - TEXT_PAD - w, y, 9, TRUE, title);
  else
    draw_text (cr, text, box->rect.x + box->rect.width + 4, y, 9, TRUE, &pal->edge_text);
}

static const LaminaBoxMark *
mark_of (const LaminaRenderOptions *o, guint box)
{
  if (o->marks == NULL || box >= o->n_marks)
    return NULL;
  return o->marks[box].flags || o->marks[box].label[0] ? &o->marks[box] : NULL;
}

static gboolean
edge_visible (const LaminaLayout *layout, const LaminaEdge *e, const LaminaRect *visible)
{
  const LaminaBox *a = &g_array_index (layout->boxes, LaminaBox, e->from);
  const LaminaBox *b = &g_array_index (layout->boxes, LaminaBox, e->to);
  double x0 = MIN (a->rect.x, b->rect.x), x1 = MAX (a->rect.x + a->rect.width, b->rect.x + b->rect.width);
  LaminaRect span = { x0, a->rect.y, x1 - x0, b->rect.y + b->rect.height - a->rect.y };

  for (guint i = 0; i < e->n_points; i++)
    {
      span.x = MIN (span.x, e->points[2 * i]);
      span.width = MAX (span.width, e->points[2 * i] - span.x);
    }
  if (span.height < 0)
    {
      span.y += span.height;
      span.height = -span.height;
    }
  return rect_intersects (&span, visible);
}

void
lamina_render_graph (cairo_t *cr, const LaminaLayout *layout, const LaminaRenderOptions *o)
{
  const Palette *pal = o->dark ? &dark : &light;
  /* below ~30 % zoom text is unreadable: skip it, boxes keep their colour */
  gboolean with_text = o->scale <= 0 || o->scale >= 0.3;

  cairo_save (cr);
  for (guint i = 0; i < layout->edges->len; i++)
    {
      const LaminaEdge *e = &g_array_index (layout->edges, LaminaEdge, i);
      if (edge_visible (layout, e, o->visible))
        draw_edge (cr, e, (int) i == o->selected_edge ? &pal->select : &pal->edge,
                   (int) i == o->selected_edge ? 2 : 1, with_text, pal);
    }
  for (guint i = 0; i < layout->boxes->len; i++)
    {
      const LaminaBox *box = &g_array_index (layout->boxes, LaminaBox, i);
      const LaminaBoxMark *mark = mark_of (o, i);
      /* the check badge pokes 6 units out of the top-right corner, the
       * simulator's label reaches 12 units below, a metric value ~70 to
       * the right */
      LaminaRect reach = { box->rect.x, box->rect.y - 6, box->rect.width + (o->metric ? 70 : 6),
                           box->rect.height + 18 };
      Rgb fill, title;
      if (!rect_intersects (&reach, o->visible))
        continue;
      if (box->kind == LAMINA_BOX_NODE)
        {
          header_colors (o, pal, i, box, &fill, &title);
          draw_node (cr, box, pal, mark && mark->flags & LAMINA_BOX_MARK_DONE ? &pal->done_body : &pal->body,
                     &fill, &title, with_text);
        }
      else
        draw_pill (cr, box, pal, with_text);
      if (mark)
        draw_mark (cr, box, mark, pal, with_text);
      if (o->metric != NULL && with_text && box->kind == LAMINA_BOX_NODE)
        draw_metric_label (cr, box, o, i, &title, pal);
      if ((int) i == o->selected_box)
        outline_box (cr, box, &pal->select, 2);
      else if ((int) i == o->hovered_box)
        outline_box (cr, box, &pal->hover, 1);
    }
  cairo_restore (cr);
}

/* ---- export ------------------------------------------------------------ */

typedef enum { OUT_SVG, OUT_PNG, OUT_PDF, OUT_UNKNOWN } OutFormat;

static OutFormat
format_for_path (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".svg"))
    return OUT_SVG;
  if (g_str_has_suffix (lower, ".png"))
    return OUT_PNG;
  if (g_str_has_suffix (lower, ".pdf"))
    return OUT_PDF;
  return OUT_UNKNOWN;
}

static void
paint_page (cairo_t *cr, const LaminaLayout *layout, double scale)
{
  LaminaRenderOptions o;
  const Palette *pal = &light;

  lamina_render_options_init (&o);
  cairo_set_source_rgb (cr, pal->background.r, pal->background.g, pal->background.b);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  cairo_translate (cr, EXPORT_MARGIN, EXPORT_MARGIN);
  lamina_render_graph (cr, layout, &o);
}

/* Renders into tmp_path; the caller renames it into place. */
static gboolean
render_to (const LaminaLayout *layout, OutFormat format, const char *tmp_path, GError **error)
{
  double w = layout->width + 2 * EXPORT_MARGIN, h = layout->height + 2 * EXPORT_MARGIN;
  double scale = 1.0;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  if (format == OUT_PNG)
    {
      scale = MIN (2.0, MIN (PNG_MAX_SIDE / w, PNG_MAX_SIDE / h));
      scale = MIN (scale, sqrt (PNG_MAX_PIXELS / (w * h)));
      if (w * scale < 1 || h * scale < 1 || scale < 0.05)
        {
          g_set_error (error, LAMINA_RENDER_ERROR, LAMINA_RENDER_ERROR_SIZE,
                       "the graph (%.0f×%.0f) is too large for a PNG; export SVG or PDF", w, h);
          return FALSE;
        }
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) ceil (w * scale), (int) ceil (h * scale));
    }
  else if (format == OUT_SVG)
    {
      surface = cairo_svg_surface_create (tmp_path, w, h);
      /* layout units are pixels; cairo's default "pt" would scale by 4/3 */
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
    }
  else
    surface = cairo_pdf_surface_create (tmp_path, w, h);

  cr = cairo_create (surface);
  paint_page (cr, layout, scale);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  if (format == OUT_PNG)
    status = cairo_surface_write_to_png (surface, tmp_path);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LAMINA_RENDER_ERROR, LAMINA_RENDER_ERROR_WRITE,
                   "cannot write the drawing: %s", cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
lamina_render_export (const LaminaLayout *layout, const char *path, GError **error)
{
  OutFormat format = format_for_path (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp_path = NULL;
  int fd;

  if (format == OUT_UNKNOWN)
    {
      g_set_error (error, LAMINA_RENDER_ERROR, LAMINA_RENDER_ERROR_FORMAT,
                   "%s: unknown format (use .svg, .png or .pdf)", base);
      return FALSE;
    }
  /* temp file beside the target, renamed into place: a failed write never
   * damages an existing file */
  tmp_path = g_build_filename (dir, ".lamina-export-XXXXXX", NULL);
  fd = g_mkstemp (tmp_path);
  if (fd < 0)
    {
      g_set_error (error, LAMINA_RENDER_ERROR, LAMINA_RENDER_ERROR_WRITE,
                   "%s: cannot write in %s: %s", base, dir, g_strerror (errno));
      return FALSE;
    }
  close (fd);
  if (!render_to (layout, format, tmp_path, error) || g_rename (tmp_path, path) != 0)
    {
      if (error && *error == NULL)
        g_set_error (error, LAMINA_RENDER_ERROR, LAMINA_RENDER_ERROR_WRITE,
                     "%s: cannot rename into place: %s", base, g_strerror (errno));
      g_unlink (tmp_path);
      return FALSE;
    }
  return TRUE;
}
